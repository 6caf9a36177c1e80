// /health fed by a real job run with stand-in stages (fake stages): processing with the current
// stage and percentage while it runs, error with the cause after a failure, 404/405 otherwise.
import { existsSync, mkdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HealthSchema } from "../../src/contracts/health.js";
import { runJob } from "../../src/engine/index.js";
import {
  createHealthTracker,
  healthConfigFromEnv,
  startHealthServer,
  type HealthServer,
} from "../../src/status/index.js";
import { fakeStages } from "../engine/fakeStages.js";
import { tempDir, waitFor } from "../engine/helpers.js";

function get(
  url: string,
  method = "GET",
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("/health (fake stages)", () => {
  it("reports processing with stage and percentage during a job, error with the cause after", async () => {
    const root = tempDir("health");
    const input = join(root, "in");
    mkdirSync(input);
    const output = join(root, "job-abc123");
    const tracker = createHealthTracker();
    server = await startHealthServer(tracker, { port: 0, host: "127.0.0.1" });
    const idle = HealthSchema.parse(JSON.parse((await get(server.url)).body));
    expect(idle).toMatchObject({ state: "idle", current_job: null, error_message: null });

    const controller = new AbortController();
    const beforeStart = Date.now();
    const job = runJob({
      input,
      output,
      stages: fakeStages({ hangAt: "Training", failAt: "Training", hangMs: 1500 }),
      onEvent: tracker.onEvent,
      signal: controller.signal,
    });
    await waitFor(() => existsSync(join(output, "hanging-Training")));
    const during = await get(server.url);
    expect(during.status).toBe(200);
    expect(during.headers["content-type"]).toBe("application/json");
    const h = HealthSchema.parse(JSON.parse(during.body));
    expect(h.state).toBe("processing");
    expect(h.current_job).toMatchObject({
      job_id: "job-abc123",
      stage: "Training",
      progress_percentage: 62.5,
      video_count: 2,
      total_frames: 24,
      gaussian_count: null,
    });
    // This job's start, not an older one's: between the call and the request above.
    const started = Date.parse(h.current_job!.started_at);
    expect(started).toBeGreaterThanOrEqual(beforeStart);
    expect(started).toBeLessThanOrEqual(Date.parse(h.last_update));

    await expect(job).rejects.toThrow(/Training failed: boom/);
    const after = HealthSchema.parse(JSON.parse((await get(server.url)).body));
    expect(after.state).toBe("error");
    expect(after.error_message).toBe("Training: Training failed: boom second line");
    expect(after.current_job?.stage).toBe("Training");
    expect(Date.parse(after.last_update)).toBeGreaterThanOrEqual(Date.parse(h.last_update));
  });

  it("answers 404 for other paths and 405 for other methods", async () => {
    server = await startHealthServer(createHealthTracker("watching"), {
      port: 0,
      host: "127.0.0.1",
    });
    const base = server.url.replace(/\/health$/, "");
    expect((await get(`${base}/`)).status).toBe(404);
    expect((await get(`${base}/healthz`)).status).toBe(404);
    expect((await get(`${base}/health/x`)).status).toBe(404);
    const post = await get(server.url, "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect((await get(server.url, "DELETE")).status).toBe(405);
    expect((await get(`${server.url}?pretty=1`)).status).toBe(200);
    const head = await get(server.url, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(JSON.parse((await get(server.url)).body).state).toBe("watching");
  });

  it("reads HEALTH_CHECK_* with seed defaults and rejects a bad port", async () => {
    expect(healthConfigFromEnv({})).toEqual({ enabled: false, port: 8080, host: "127.0.0.1" });
    expect(
      healthConfigFromEnv({
        HEALTH_CHECK_ENABLED: "true",
        HEALTH_CHECK_PORT: "9090",
        HEALTH_CHECK_HOST: "0.0.0.0",
      }),
    ).toEqual({ enabled: true, port: 9090, host: "0.0.0.0" });
    expect(() => healthConfigFromEnv({ HEALTH_CHECK_PORT: "80a" })).toThrow(/HEALTH_CHECK_PORT/);
    // A port in use is a one-line error naming it.
    server = await startHealthServer(createHealthTracker(), { port: 0, host: "127.0.0.1" });
    await expect(
      startHealthServer(createHealthTracker(), { port: server.port, host: "127.0.0.1" }),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${server.port} (EADDRINUSE)`);
  });
});
