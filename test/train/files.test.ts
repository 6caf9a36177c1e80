import { allocateParams } from "../../src/contracts/gaussians.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { testSeed } from "../seed.js";
import { writeMetrics, type MetricsRow } from "../../src/train/metrics.js";
import { previewFileName, writePng } from "../../src/train/preview.js";
import { createRng, viewForStep } from "../../src/train/rng.js";
import {
  createSchedule,
  densifyActions,
  learningRateScale,
  shapeRateScale,
  learningRates,
  positionLr,
  shDegreeAt,
} from "../../src/train/schedule.js";
import {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshot,
  writeSnapshot,
} from "../../src/train/snapshot.js";
import { TrainingStatusSchema } from "../../src/contracts/trainingStatus.js";
import { createTrainingStatusWriter } from "../../src/status/trainingStatusWriter.js";
import { TrainingStatusReporter } from "../../src/train/statusReporter.js";

const PYTHON = "/work/main/.venv/bin/python";

function randomSnapshot(seed: number) {
  const rng = createRng(seed);
  const n = 5 + rng.int(20);
  const params = allocateParams(n, 2);
  params.shDegree = 1;
  const fill = (a: Float32Array) => a.forEach((_, i) => (a[i] = rng.normal() * 1e3));
  const groups = ["means", "logScales", "quats", "opacityLogits", "sh"] as const;
  for (const g of groups) fill(params[g]);
  const m = allocateParams(n, 2);
  const v = allocateParams(n, 2);
  for (const g of groups) {
    fill(m[g]);
    fill(v[g]);
  }
  const pick = (p: typeof m) => ({
    means: p.means,
    logScales: p.logScales,
    quats: p.quats,
    opacityLogits: p.opacityLogits,
    sh: p.sh,
  });
  return {
    meta: {
      step: 500,
      totalSteps: 3000,
      seed,
      rngState: rng.getState(),
      elapsedSecs: 12.5,
      configKey: "abc",
      extra: { history: [{ step: 100, psnr: 20 }] },
    },
    params,
    adam: { step: 500, m: pick(m), v: pick(v) },
    densifyStats: {
      gradNormSum: new Float32Array(n).map(() => rng.next()),
      visibleCount: new Float32Array(n).map(() => rng.int(9)),
      maxRadius: new Float32Array(n).map(() => rng.next() * 40),
    },
  };
}

describe("snapshots", () => {
  it("round-trips bit-exactly through the file, including NaN payloads and the RNG state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "snap-"));
    const s = randomSnapshot(testSeed());
    s.params.means[0] = NaN;
    s.params.sh[1] = -0;
    await writeSnapshot(dir, s);
    const back = (await readSnapshot(dir))!;
    expect(back.meta).toEqual(s.meta);
    expect(back.params.count).toBe(s.params.count);
    expect(back.params.shDegree).toBe(1);
    const bytes = (a: Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
    for (const g of ["means", "logScales", "quats", "opacityLogits", "sh"] as const) {
      expect(bytes(back.params[g])).toBe(bytes(s.params[g]));
      expect(bytes(back.adam.m[g])).toBe(bytes(s.adam.m[g]));
      expect(bytes(back.adam.v[g])).toBe(bytes(s.adam.v[g]));
    }
    expect(bytes(back.densifyStats.maxRadius)).toBe(bytes(s.densifyStats.maxRadius));
    expect(back.adam.step).toBe(500);
    // The restored RNG continues the same stream.
    const a = createRng(1);
    a.setState(back.meta.rngState);
    const b = createRng(1);
    b.setState(s.meta.rngState);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    expect(JSON.parse(readFileSync(join(dir, "snapshot.json"), "utf8")).step).toBe(500);
  });

  it("names the file when it is truncated or foreign, and returns null when absent", async () => {
    const bytes = encodeSnapshot(randomSnapshot(3));
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 8), "/x/snapshot.bin")).toThrow(
      /\/x\/snapshot.bin: not a usable snapshot \(truncated/,
    );
    expect(() => decodeSnapshot(new Uint8Array(40), "/y.bin")).toThrow(/\/y.bin: .*wrong magic/);
    expect(await readSnapshot(mkdtempSync(join(tmpdir(), "nosnap-")))).toBeNull();
  });
});

describe("schedule", () => {
  it("decays the position rate from 1.6e-4 to 1.6e-6 times the extent, log-linearly", () => {
    const s = createSchedule(3000, 3, "3dgs");
    expect(positionLr(s, 0, 2)).toBeCloseTo(3.2e-4, 12);
    expect(positionLr(s, 2999, 2)).toBeCloseTo(3.2e-6, 14);
    expect(positionLr(s, 1499.5, 2)).toBeCloseTo(3.2e-5, 12);
  });

  it("scales the position rate by √(30 000 / steps), at most 5×, the others by its square root, unless told to keep 3DGS's", () => {
    expect(learningRateScale(30000, "run-length")).toBe(1);
    expect(learningRateScale(60000, "run-length")).toBe(1);
    expect(learningRateScale(3000, "run-length")).toBeCloseTo(Math.sqrt(10), 12);
    expect(learningRateScale(1000, "run-length")).toBeCloseTo(5, 12);
    expect(learningRateScale(100, "run-length")).toBeCloseTo(5, 12);
    expect(learningRateScale(1000, "3dgs")).toBe(1);
    const rates = (s: ReturnType<typeof createSchedule>, step: number) =>
      Object.values(learningRates(s, step, 2));
    for (const [steps, k] of [
      [1000, 5],
      [3000, Math.sqrt(10)],
      [30000, 1],
    ] as const) {
      const [scaled, published] = [createSchedule(steps, 3), createSchedule(steps, 3, "3dgs")];
      for (const step of [0, steps / 2, steps - 1]) {
        const [a, b] = [rates(scaled, step), rates(published, step)];
        // means first (LearningRates order), then scales, rotations, opacities, SH DC and rest.
        a.forEach((r, i) => expect(r / b[i]!).toBeCloseTo(i === 0 ? k : Math.sqrt(k), 10));
      }
      // The decay keeps its shape: 100× from the first step to the last, whatever the scale.
      expect(positionLr(scaled, 0, 1) / positionLr(scaled, steps - 1, 1)).toBeCloseTo(100, 8);
      // The timetable does not depend on the rates.
      const { densifyFrom, densifyUntil, densifyEvery, shDegreeEvery } = published;
      expect(scaled).toMatchObject({ densifyFrom, densifyUntil, densifyEvery, shDegreeEvery });
    }
    expect(createSchedule(1000, 3).positionLrInit).toBeCloseTo(8e-4, 15);
    expect(createSchedule(1000, 3).opacityLr).toBeCloseTo(0.05 * Math.sqrt(5), 12);
    expect(shapeRateScale(1000, "run-length")).toBeCloseTo(Math.sqrt(5), 12);
    expect(shapeRateScale(1000, "3dgs")).toBe(1);
  });

  it("uses the 30k defaults unscaled and scales a 3000-step run by sqrt(0.1), densifying every 100", () => {
    const full = createSchedule(30000, 3);
    expect([full.densifyFrom, full.densifyEvery, full.shDegreeEvery, full.densifyUntil]).toEqual([
      500, 100, 1000, 15000,
    ]);
    const s = createSchedule(3000, 3);
    expect([s.densifyFrom, s.densifyEvery, s.shDegreeEvery, s.densifyUntil]).toEqual([
      158, 100, 316, 1500,
    ]);
    expect(shDegreeAt(s, 315)).toBe(0);
    expect(shDegreeAt(s, 316)).toBe(1);
    expect(shDegreeAt(s, 2999)).toBe(3);
    expect(shDegreeAt(createSchedule(3000, 1), 2999)).toBe(1);
    expect(densifyActions(s, 200).refine).toBe(true);
    expect(densifyActions(s, 100).refine).toBe(false); // before the start
    expect(densifyActions(s, 1600).refine).toBe(false); // after half the run
  });

  it("view order visits every training view once per epoch and is reproducible", () => {
    const seen = new Set<number>();
    for (let step = 14; step < 21; step++) seen.add(viewForStep(42, step, 7));
    expect(seen.size).toBe(7);
    expect(viewForStep(42, 100, 7)).toBe(viewForStep(42, 100, 7));
  });
});

describe("metrics.arrow, previews and the status file", () => {
  it("writes an Arrow IPC file that pyarrow reads with the right columns and values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "metrics-"));
    const rows: MetricsRow[] = [
      {
        step: 100,
        loss: 0.2,
        psnr: 18.5,
        ssim: 0.61,
        splat_count: 1200,
        elapsed_secs: 10.5,
        position_lr: 1.5e-4,
      },
      {
        step: 200,
        loss: NaN,
        psnr: 21.25,
        ssim: 0.7,
        splat_count: 1800,
        elapsed_secs: 20,
        position_lr: 1.2e-4,
      },
    ];
    const path = join(dir, "metrics.arrow");
    await writeMetrics(path, rows);
    expect(readFileSync(path).subarray(0, 6).toString()).toBe("ARROW1");
    if (!existsSync(PYTHON))
      return expect.fail(`${PYTHON} missing: the venv is needed for this check`);
    const py = [
      "import pyarrow.ipc as ipc, sys, json",
      "t = ipc.open_file(sys.argv[1]).read_all()",
      "print(json.dumps({'names': t.column_names, 'types': [str(x) for x in t.schema.types], 'psnr': t['psnr'].to_pylist(), 'count': t['splat_count'].to_pylist(), 'loss0': t['loss'][0].as_py()}))",
    ].join("\n");
    const r = spawnSync(PYTHON, ["-c", py, path], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const got = JSON.parse(r.stdout);
    expect(got.names).toEqual([
      "step",
      "loss",
      "psnr",
      "ssim",
      "splat_count",
      "elapsed_secs",
      "position_lr",
      "psnr_fitted",
    ]);
    expect(got.types).toEqual([
      "int32",
      "double",
      "double",
      "double",
      "int32",
      "double",
      "double",
      "double",
    ]);
    expect(got.psnr).toEqual([18.5, 21.25]);
    expect(got.count).toEqual([1200, 1800]);
    expect(got.loss0).toBe(0.2);
  });

  it("writes a preview PNG with the image's pixels", async () => {
    const dir = mkdtempSync(join(tmpdir(), "preview-"));
    const file = join(dir, "previews", previewFileName(500));
    expect(file.endsWith("previews/step_00500.png")).toBe(true);
    const data = new Float32Array(4 * 2 * 3);
    data[0] = 1;
    data[4] = 0.5;
    data[23] = 2; // clamped
    await writePng(file, { width: 4, height: 2, data });
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([4, 2]);
    expect(Array.from(png.data.subarray(0, 8))).toEqual([255, 0, 0, 255, 0, 128, 0, 255]);
    expect(png.data[7 * 4 + 2]).toBe(255);
  });

  it("status reporter writes every seed field, derived progress/ETA and RFC 3339 time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "status-"));
    const path = join(dir, "training_status.json");
    const r = new TrainingStatusReporter(createTrainingStatusWriter(path), {
      totalSteps: 200,
      exportPath: dir,
      jobId: "j1",
    });
    await r.update(
      { status: "training", current_iteration: 50, current_splat_count: 10 },
      { elapsedSecs: 5, secsPerStep: 0.1 },
    );
    const s = TrainingStatusSchema.parse(JSON.parse(readFileSync(path, "utf8")));
    expect(s.progress_percentage).toBe(25);
    expect(s.estimated_remaining_seconds).toBeCloseTo(15, 6);
    expect(s.last_updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const k of [
      "current_iteration",
      "total_iterations",
      "progress_percentage",
      "elapsed_time_seconds",
      "estimated_remaining_seconds",
      "current_splat_count",
      "last_eval_psnr",
      "last_eval_ssim",
      "export_path",
      "current_export_file",
      "status",
      "last_updated",
    ]) {
      expect(s).toHaveProperty(k);
    }
  });
});

describe("evaluation metrics", () => {
  it("PSNR from the MSE, SSIM 1 for equal images and lower with noise; NaN pixels score as 0", async () => {
    const { psnr, ssim } = await import("../../src/train/imageMetrics.js");
    const rng = createRng(testSeed());
    const w = 24;
    const h = 20;
    const a = new Float32Array(w * h * 3).map(() => rng.next());
    const b = a.map((v) => v + 0.1 * (rng.next() < 0.5 ? -1 : 1));
    const mse =
      a.reduce(
        (s, v, i) => s + (Math.min(1, Math.max(0, v)) - Math.min(1, Math.max(0, b[i]!))) ** 2,
        0,
      ) / a.length;
    const A = { width: w, height: h, data: a };
    const B = { width: w, height: h, data: b };
    expect(psnr(A, B)).toBeCloseTo(-10 * Math.log10(mse), 4);
    expect(ssim(A, A)).toBeCloseTo(1, 9);
    expect(psnr(A, A)).toBe(100);
    expect(ssim(A, B)).toBeLessThan(0.99);
    const broken = { width: w, height: h, data: a.map(() => NaN) };
    expect(Number.isFinite(psnr(broken, A))).toBe(true);
  });
});
