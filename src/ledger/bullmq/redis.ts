import { Redis } from "ioredis";
import { SplatbookError } from "../../util/errors.js";

/** A Redis URL without its password, for messages. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

/** Connection state changes, for logs and `/health`. */
export interface ConnectionHooks {
  onLost?(reason: string): void;
  onReady?(): void;
}

/**
 * An ioredis connection as BullMQ needs it: commands wait while the connection is down
 * (`maxRetriesPerRequest: null`, offline queue on) and it reconnects forever with a capped
 * backoff, so a Redis restart pauses work instead of failing it.
 */
export function connectRedis(url: string, hooks: ConnectionHooks = {}): Redis {
  if (!/^rediss?:\/\//.test(url)) {
    throw new SplatbookError(`--redis ${url}: expected a redis:// or rediss:// URL`);
  }
  const conn = new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: true,
  });
  let up = false;
  conn.on("ready", () => {
    up = true;
    hooks.onReady?.();
  });
  conn.on("close", () => {
    if (up) hooks.onLost?.("connection closed");
    up = false;
  });
  conn.on("error", () => {
    // Reported through "close"; ioredis reconnects on its own.
  });
  return conn;
}

/** Disconnects on purpose: the connection hooks stay silent. */
export function closeRedis(conn: Redis): void {
  conn.removeAllListeners("close");
  conn.removeAllListeners("ready");
  conn.disconnect();
}

/** Connects (within `timeoutMs`) and checks the server can hold a queue. */
export async function openRedis(
  url: string,
  hooks: ConnectionHooks = {},
  timeoutMs = 15_000,
): Promise<Redis> {
  const conn = connectRedis(url, hooks);
  const timer = setTimeout(() => conn.disconnect(), timeoutMs);
  try {
    await conn.connect();
    await checkRedisSettings(conn, url);
    return conn;
  } catch (err) {
    conn.disconnect();
    if (err instanceof SplatbookError) throw err;
    throw new SplatbookError(
      `cannot reach Redis at ${redisLabel(url)} (${(err as Error).message})`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Refuses a Redis that may evict keys: BullMQ keeps jobs, locks and events in keys, and an
 * evicted lock or job loses work silently. `maxmemory-policy` must be `noeviction`.
 */
export async function checkRedisSettings(conn: Redis, url: string): Promise<void> {
  const info = await conn.info("memory");
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy && policy !== "noeviction") {
    throw new SplatbookError(
      `Redis at ${redisLabel(url)} has maxmemory-policy ${policy}: it may evict queue keys ` +
        `(jobs, locks) and lose work; set "maxmemory-policy noeviction" in redis.conf ` +
        `(or CONFIG SET maxmemory-policy noeviction)`,
    );
  }
}
