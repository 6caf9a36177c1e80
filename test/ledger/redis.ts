import { startRedisServer, type RedisServer } from "../../src/bench/redisServer.js";
import { freePort } from "../../src/util/net.js";
import { tempDir } from "../engine/helpers.js";

/** A Redis server from Debian's `redis-server`, started for a test. */
export type TestRedis = RedisServer;

/**
 * Starts `redis-server` on a free loopback port with an append-only file (so a restart keeps the
 * queue) and the given eviction policy. Fails (never skips) when redis-server is missing.
 */
export async function startRedis(
  opts: { policy?: string; bind?: string; prefix?: string[] } = {},
): Promise<TestRedis> {
  return startRedisServer({ ...opts, dir: tempDir("redis"), port: await freePort() });
}
