// The output-folder lock across machines: the holder renews a lease in the lock file; a holder
// on another host is respected while its lease is current and taken over once it expired.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  LOCK_FILENAME,
  acquireJobLock,
  leaseExpired,
  liveLockHolder,
  type LockInfo,
} from "../../src/engine/lock.js";
import { recordingLogger, tempDir, waitFor } from "./helpers.js";

const saved = process.env.SPLATBOOK_LOCK_LEASE_SECS;
afterEach(() => {
  if (saved === undefined) delete process.env.SPLATBOOK_LOCK_LEASE_SECS;
  else process.env.SPLATBOOK_LOCK_LEASE_SECS = saved;
});

function foreignLock(dir: string, renewedSecsAgo: number, leaseSecs = 30): LockInfo {
  const renewed = new Date(Date.now() - renewedSecsAgo * 1000).toISOString();
  const info: LockInfo = {
    pid: 4242,
    hostname: "another-host.example",
    started_at: renewed,
    lease_secs: leaseSecs,
    renewed_at: renewed,
  };
  writeFileSync(join(dir, LOCK_FILENAME), JSON.stringify(info));
  return info;
}

describe("lock lease", () => {
  it("the holder renews its lease while it holds the lock", async () => {
    process.env.SPLATBOOK_LOCK_LEASE_SECS = "1";
    const dir = tempDir("lease-renew");
    const read = () => JSON.parse(readFileSync(join(dir, LOCK_FILENAME), "utf8")) as LockInfo;
    const lock = await acquireJobLock(dir, recordingLogger());
    const first = read();
    expect(first.lease_secs).toBe(1);
    // Two renewals seen (however late the timers fire under load), each later than the last.
    const renewals = [first.renewed_at!];
    await waitFor(
      () => {
        const at = read().renewed_at!;
        if (at !== renewals.at(-1)) renewals.push(at);
        return renewals.length >= 3;
      },
      60_000,
      "two renewals",
    );
    const times = renewals.map((r) => Date.parse(r));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(read()).toMatchObject({ pid: process.pid, started_at: first.started_at, lease_secs: 1 });
    await lock.release();
    expect(() => read()).toThrow();
    // Longer than a renewal period: a renewal timer left running would write the file again.
    await new Promise((r) => setTimeout(r, 700));
    expect(() => read()).toThrow();
  });

  it("respects another host's current lease and takes over an expired one", async () => {
    const dir = tempDir("lease-foreign");
    const log = recordingLogger();
    const current = foreignLock(dir, 5);
    expect(await liveLockHolder(dir)).toMatchObject({ pid: 4242 });
    await expect(acquireJobLock(dir, log)).rejects.toThrow(
      /in use by splatbook pid 4242 on host another-host.example .*lease renewed/,
    );
    expect(leaseExpired(current)).toBe(false);

    foreignLock(dir, 31);
    expect(await liveLockHolder(dir)).toBeUndefined();
    const lock = await acquireJobLock(dir, log);
    expect(lock.info.pid).toBe(process.pid);
    expect(log.lines.join("\n")).toMatch(
      /taking over the lock .* held by pid 4242 on host another-host.example: its lease expired/,
    );
    await lock.release();
  });

  it("a lock without a lease (older release) on another host is still refused", async () => {
    const dir = tempDir("lease-legacy");
    writeFileSync(
      join(dir, LOCK_FILENAME),
      JSON.stringify({ pid: 7, hostname: "old-host", started_at: "2020-01-01T00:00:00Z" }),
    );
    await expect(acquireJobLock(dir, recordingLogger())).rejects.toThrow(
      /pid 7 on host old-host .*delete .* if that process is gone/,
    );
  });
});

describe("a dead holder's leftover processes", () => {
  it("keep the lock until they end (a killed worker's ffmpeg still writing)", async () => {
    const { spawn } = await import("node:child_process");
    const { hostname } = await import("node:os");
    const dir = tempDir("lease-leftovers");
    // A group leader that exits at once, leaving a child in its process group.
    const leader = spawn("sh", ["-c", "sleep 30 & echo $!"], {
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const child = Number(
      await new Promise<string>((res) => leader.stdout!.once("data", (d) => res(String(d)))),
    );
    await new Promise((r) => leader.once("exit", r));
    const info = { pid: leader.pid!, hostname: hostname(), started_at: new Date().toISOString() };
    writeFileSync(join(dir, LOCK_FILENAME), JSON.stringify(info));
    try {
      await expect(acquireJobLock(dir, recordingLogger())).rejects.toThrow(
        new RegExp(
          `pid ${leader.pid} is gone but processes it started still run \\(pids ${child}\\)`,
        ),
      );
    } finally {
      process.kill(child, "SIGKILL");
    }
    await new Promise((r) => setTimeout(r, 200));
    const lock = await acquireJobLock(dir, recordingLogger());
    expect(lock.info.pid).toBe(process.pid);
    await lock.release();
  });
});
