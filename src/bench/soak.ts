import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../util/net.js";
import { mulberry32 } from "../util/random.js";
import { startCli, startCpuHogs, type LiveBatch } from "./processes.js";
import { makeQuickScenes } from "./quickScenes.js";
import { startRedisServer, type RedisServer } from "./redisServer.js";
import { soakCounts, type SoakCounts } from "./soakCounts.js";

/** A distributed soak: what runs and which faults are injected. */
export interface SoakOptions {
  /** The CLI entry (`lib/cli/main.js` or a test build of it). */
  cli: string;
  /** An empty folder for scenes, outputs, ledger, Redis and the workers' scratch. */
  work: string;
  scenes: number;
  workers: number;
  /** Busy processes beside the workers. */
  hogs: number;
  /** Mean seconds between `kill -9` of a worker (each gap drawn in ±50%); 0: none. */
  killEverySecs: number;
  /** Most workers killed at random times (default: no limit). */
  maxKills?: number;
  /** Also a worker killed when this fraction of the scenes is recorded (one kill each). */
  killAt?: readonly number[];
  /** Redis is restarted when this fraction of the scenes is recorded (one restart each). */
  redisRestartAt: readonly number[];
  /** The coordinator is killed (`kill -9`) and started again with `--resume` at these fractions. */
  coordinatorKillAt: readonly number[];
  /** The workers' `--lock-secs`. */
  lockSecs: number;
  /** Frames extracted per scene (the scenes stop after MetadataExtraction). */
  framesPerVideo: number;
  /** Seeds the kill times and victims (printed with the result, to replay). */
  seed: number;
  /** Gives up (and throws) after this long. */
  timeoutSecs: number;
  log(line: string): void;
}

/** What a soak measured. */
export interface SoakResult extends SoakCounts {
  seed: number;
  kills: number;
  redisRestarts: number;
  coordinatorKills: number;
  wallSecs: number;
  /** The last coordinator's exit code. */
  exitCode: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One soak run: the processes it started and the faults done so far. */
class Soak {
  readonly rand: () => number;
  readonly scenesDir: string;
  readonly queue = "soak";
  redis!: RedisServer;
  readonly workers: LiveBatch[] = [];
  readonly coordinators: LiveBatch[] = [];
  kills = 0;
  timedKills = 0;
  redisRestarts = 0;
  coordinatorKills = 0;
  private workerSeq = 0;

  constructor(readonly o: SoakOptions) {
    this.rand = mulberry32(o.seed);
    this.scenesDir = join(o.work, "scenes");
  }

  get coordinator(): LiveBatch {
    return this.coordinators.at(-1)!;
  }

  /** Indices some coordinator has reported done so far. */
  recorded(): number {
    const seen = new Set<number>();
    for (const c of this.coordinators)
      for (const e of c.events) if (e.type === "index-done") seen.add(e.idx);
    return seen.size;
  }

  async startWorker(): Promise<void> {
    const dir = join(this.o.work, "workers", String(this.workerSeq++));
    mkdirSync(dir, { recursive: true });
    const args = ["worker", "--redis", this.redis.url, "--queue", this.queue];
    const w = startCli(this.o.cli, [...args, "--lock-secs", String(this.o.lockSecs)], {
      ...{ env: { TMPDIR: dir }, cwd: dir, detached: true },
    });
    this.workers.push(w);
    const end = Date.now() + 120_000;
    while (!/takes jobs/.test(w.stdout() + w.stderr())) {
      if (w.exited() || Date.now() > end) throw new Error(`a worker did not start: ${w.stderr()}`);
      await sleep(100);
    }
  }

  startCoordinator(): void {
    const { o } = this;
    this.coordinators.push(
      startCli(o.cli, [
        ...["batch", this.scenesDir, join(o.work, "out"), "--backend", "bullmq"],
        ...["--redis", this.redis.url, "--queue", this.queue, "--resume"],
        ...["--until", "MetadataExtraction", "--frames-per-video", String(o.framesPerVideo)],
        ...["--db-dir", join(o.work, "db"), "--json"],
      ]),
    );
  }

  /** `kill -9` of a live worker drawn at random, and a replacement. */
  async killWorker(): Promise<void> {
    const live = this.workers.filter((w) => !w.exited());
    const victim = live[Math.floor(this.rand() * live.length)]!;
    this.o.log(`kill -9 worker pid ${victim.pid} (${this.recorded()}/${this.o.scenes} recorded)`);
    process.kill(victim.pid, "SIGKILL");
    await victim.done;
    this.kills++;
    await this.startWorker();
  }

  async restartRedis(): Promise<void> {
    this.o.log(`Redis restart (${this.recorded()}/${this.o.scenes} recorded)`);
    await this.redis.restart(2000);
    this.redisRestarts++;
  }

  async restartCoordinator(): Promise<void> {
    this.o.log(`kill -9 coordinator, restart with --resume (${this.recorded()} recorded)`);
    this.coordinator.kill("SIGKILL");
    await this.coordinator.done;
    this.coordinatorKills++;
    this.startCoordinator();
  }

  /** Seconds to the next worker kill. */
  nextKillGap(): number {
    return this.o.killEverySecs * (0.5 + this.rand());
  }

  /** Injects the faults until the coordinator ends; returns its exit code. */
  async drive(): Promise<number | null> {
    const { o } = this;
    const ascending = (list: readonly number[] = []) => [...list].sort((a, b) => a - b);
    const [killAt, redisAt, coordAt] = [o.killAt, o.redisRestartAt, o.coordinatorKillAt].map(
      ascending,
    );
    const deadline = Date.now() + o.timeoutSecs * 1000;
    let nextKill = Date.now() + this.nextKillGap() * 1000;
    for (;;) {
      if (this.coordinator.exited()) return (await this.coordinator.done).code;
      if (Date.now() > deadline) throw new Error(`soak still running after ${o.timeoutSecs} s`);
      const progress = this.recorded() / o.scenes;
      const timedLeft = o.killEverySecs > 0 && this.timedKills < (o.maxKills ?? Infinity);
      if (timedLeft && Date.now() >= nextKill) {
        await this.killWorker();
        this.timedKills++;
        nextKill = Date.now() + this.nextKillGap() * 1000;
      } else if (killAt.length > 0 && progress >= killAt[0]!) {
        killAt.shift();
        await this.killWorker();
      } else if (redisAt.length > 0 && progress >= redisAt[0]!) {
        redisAt.shift();
        await this.restartRedis();
      } else if (coordAt.length > 0 && progress >= coordAt[0]!) {
        coordAt.shift();
        await this.restartCoordinator();
      }
      await sleep(250);
    }
  }

  /** Ends every process this soak started. */
  async stopAll(): Promise<void> {
    for (const c of this.coordinators) c.kill("SIGKILL");
    for (const w of this.workers) w.kill("SIGTERM");
    await Promise.all([...this.workers, ...this.coordinators].map((p) => p.done));
    await this.redis?.stop();
  }
}

/**
 * A soak of the BullMQ backend: `scenes` quick scenes (2 s clips, up to MetadataExtraction)
 * through `workers` worker processes on a Redis on a loopback port, with CPU hogs beside them,
 * workers killed with SIGKILL at random times (each replaced at once), Redis restarted and the
 * coordinator killed and restarted with `--resume` at set points of progress. Returns the
 * ledger's counts (completed, lost, falsely failed, counted twice…) and the faults done.
 */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  await makeQuickScenes(join(o.work, "scenes"), o.scenes);
  const soak = new Soak(o);
  mkdirSync(join(o.work, "redis"), { recursive: true });
  soak.redis = await startRedisServer({ dir: join(o.work, "redis"), port: await freePort() });
  const hogs = startCpuHogs(o.hogs);
  const t0 = performance.now();
  let exitCode: number | null;
  try {
    for (let i = 0; i < o.workers; i++) await soak.startWorker();
    soak.startCoordinator();
    exitCode = await soak.drive();
  } finally {
    await soak.stopAll();
    await hogs.stop();
  }
  const wallSecs = (performance.now() - t0) / 1000;
  const counts = soakCounts({
    ...{ scenesDir: soak.scenesDir, out: join(o.work, "out"), dbDir: join(o.work, "db") },
    coordinators: soak.coordinators,
  });
  const { kills, redisRestarts, coordinatorKills } = soak;
  return { ...counts, seed: o.seed, kills, redisRestarts, coordinatorKills, wallSecs, exitCode };
}
