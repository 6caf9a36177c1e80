// Workers in their own network namespaces, each joined to the Redis namespace by a veth pair:
// the batch completes though no worker shares a loopback with Redis or the coordinator (the
// test first shows Redis's port is unreachable on a worker's 127.0.0.1). Needs CAP_NET_ADMIN
// (root), which CI and the development machines have.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import { tempDir } from "../engine/helpers.js";
import {
  compileCli,
  integrity,
  onlyLedger,
  query,
  startCli,
  until,
  type LiveBatch,
} from "./helpers.js";
import { startRedis, type TestRedis } from "./redis.js";

const tag = `sb${process.pid % 100000}`;
const REDIS_NS = `${tag}r`;
const WORKER_NS = [`${tag}w1`, `${tag}w2`];
const subnet = 10 + (process.pid % 200);
const made: string[] = [];

function ip(...args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
}

/** Why the test is skipped (declared in test/declared-skips.json). */
const NO_NET_ADMIN = "needs CAP_NET_ADMIN (root) to create network namespaces";

/**
 * Whether this process may create network namespaces. A missing `ip` is a broken set-up (.ci/setup
 * installs iproute2) and throws; only a refusal for lack of privilege makes the test skip.
 */
function netnsAvailable(): boolean {
  const probe = `${tag}p`;
  const r = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (r.error) throw new Error(`ip (iproute2) did not run: ${r.error.message}; run bash .ci/setup`);
  if (r.status !== 0) {
    if (/Operation not permitted|Permission denied/i.test(r.stderr)) return false;
    throw new Error(`ip netns add failed: ${r.stderr.trim()}`);
  }
  spawnSync("ip", ["netns", "del", probe]);
  return true;
}

/** Redis namespace, one namespace per worker, a veth pair from each worker to Redis's. */
function makeNamespaces(): string[] {
  const addresses: string[] = [];
  for (const ns of [REDIS_NS, ...WORKER_NS]) {
    ip("netns", "add", ns);
    made.push(ns);
    ip("-n", ns, "link", "set", "lo", "up");
  }
  WORKER_NS.forEach((ns, i) => {
    const [wEnd, rEnd] = [`${tag}a${i}`, `${tag}b${i}`];
    ip("link", "add", wEnd, "type", "veth", "peer", "name", rEnd);
    ip("link", "set", wEnd, "netns", ns);
    ip("link", "set", rEnd, "netns", REDIS_NS);
    ip("-n", REDIS_NS, "addr", "add", `10.${subnet}.${i}.1/24`, "dev", rEnd);
    ip("-n", ns, "addr", "add", `10.${subnet}.${i}.2/24`, "dev", wEnd);
    ip("-n", REDIS_NS, "link", "set", rEnd, "up");
    ip("-n", ns, "link", "set", wEnd, "up");
    addresses.push(`10.${subnet}.${i}.1`);
  });
  return addresses;
}

let available = false;
let cli: string;
let redis: TestRedis;
const work = tempDir("ledger-netns");
const workers: LiveBatch[] = [];

beforeAll(async () => {
  available = netnsAvailable();
  if (!available) return;
  cli = await compileCli();
  await makeQuickScenes(join(work, "scenes"), 4);
});

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.done));
  await redis?.stop();
  for (const ns of made) spawnSync("ip", ["netns", "del", ns]);
});

describe("workers in separate network namespaces (veth to Redis)", () => {
  it("complete a batch through Redis's veth addresses only", async (ctx) => {
    if (!available) ctx.skip(NO_NET_ADMIN);
    const addresses = makeNamespaces();
    const inRedisNs = ["ip", "netns", "exec", REDIS_NS];
    redis = await startRedis({ bind: "0.0.0.0", prefix: inRedisNs });
    // A worker's own loopback does not lead to Redis.
    const probe = spawnSync(
      "ip",
      [
        ...["netns", "exec", WORKER_NS[0]!, process.execPath, "-e"],
        `require("net").connect(${redis.port}, "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(3))`,
      ],
      { encoding: "utf8" },
    );
    expect(probe.status).toBe(3);
    WORKER_NS.forEach((ns, i) => {
      const dir = join(work, `worker-${i}`);
      mkdirSync(dir, { recursive: true });
      const url = `redis://${addresses[i]}:${redis.port}/0`;
      const args = ["worker", "--redis", url, "--queue", "netns", "--lock-secs", "3"];
      const prefix = ["ip", "netns", "exec", ns];
      workers.push(startCli(cli, args, { env: { TMPDIR: dir }, cwd: dir, prefix, detached: true }));
    });
    for (const w of workers) await until(() => /takes jobs/.test(w.stdout()), 60_000, "a worker");
    const coordinator = startCli(
      cli,
      [
        ...["batch", join(work, "scenes"), join(work, "out"), "--backend", "bullmq"],
        ...["--redis", redis.url, "--queue", "netns", "--until", "MetadataExtraction"],
        ...["--frames-per-video", "8", "--db-dir", join(work, "db"), "--json"],
      ],
      { prefix: inRedisNs },
    );
    const run = await coordinator.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.summary).toMatchObject({ total: 4, completed: 4, failed: 0 });
    const db = onlyLedger(join(work, "db"));
    const rows = query(db, "SELECT w.pid FROM index_results r JOIN workers w USING (worker_id)");
    expect(rows.length).toBe(4);
    expect(new Set(rows.map((r) => r.pid)).size).toBe(2);
    expect(integrity(db)).toBe("ok");
  }, 300_000);
});
