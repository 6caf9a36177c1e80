import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { acquireGpu } from "../src/gpu/device.js";
import { createGpuTrainingBackend } from "../src/train/gpu/index.js";
import { initFromPoints } from "../src/train/init.js";
import { createRng } from "../src/train/rng.js";
import { runTraining, type TrainSettings } from "../src/train/trainer.js";
import { syntheticScene } from "../test/train/syntheticScene.js";

it("features", async () => {
  const gpu = await acquireGpu();
  const scene = await syntheticScene({ seed: 2, views: 16, splats: 10, size: 160, pointNoise: 0.03 });
  const d = scene.dataset;
  const arms: [string, Partial<TrainSettings>][] = [
    ["off", {}],
    ["appearance", { appearance: "affine" }],
    ["mip", { antiAliasing: "mip" }],
    ["c2f", { resolutionSchedule: "coarse-to-fine" }],
  ];
  for (const [name, f] of arms) {
    const backend = await createGpuTrainingBackend({ gpu });
    await backend.setParams(initFromPoints(d.points.xyz, d.points.rgb, d.points.count, 1, 64, createRng(2)));
    const t0 = performance.now();
    const r = await runTraining(
      { totalSteps: 300, maxShDegree: 1, maxSplats: 64, seed: 7, evalEvery: 0, previewEvery: 0, snapshotEvery: 0, exportEvery: 0, appearance: "off", antiAliasing: "off", resolutionSchedule: "fixed", maxResolution: 160, ...f },
      { dataset: d, backend, outputFolder: mkdtempSync(join(tmpdir(), "x-")), statusSink: null, writePly: async () => {} },
    );
    console.log(`${name}: psnr ${r.psnr!.toFixed(2)} fitted ${r.psnr_fitted!.toFixed(2)} splats ${r.gaussian_count} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    backend.destroy();
  }
  gpu.destroy();
}, 1800_000);
