// Simulated auto-exposure: the drift stays within its stated ranges but uses them, picks the
// stated number of flare and blur frames, and applies gain and white balance with clipping.
import { describe, expect, it } from "vitest";
import { applyLook, frameLooks, type ExposureDrift } from "../../src/sample/exposure.js";
import { testSeed } from "../seed.js";

const drift = (seed: number): ExposureDrift => ({
  kind: "auto-exposure",
  ...{ seed, gain: 0.4, whiteBalance: 0.15, flareFrames: 3, blurFrames: 3 },
});

describe("auto-exposure drift", () => {
  it("keeps gains within ±40 % and white balance within ±15 %, and spans them", () => {
    const looks = frameLooks(drift(testSeed()), 72);
    const gains = looks.map((l) => l.gain);
    expect(Math.min(...gains)).toBeGreaterThanOrEqual(0.6);
    expect(Math.max(...gains)).toBeLessThanOrEqual(1.4);
    expect(Math.max(...gains) - Math.min(...gains)).toBeGreaterThan(0.3);
    const reds = looks.map((l) => l.balance[0]);
    expect(Math.min(...reds)).toBeGreaterThanOrEqual(0.85);
    expect(Math.max(...reds)).toBeLessThanOrEqual(1.15);
    expect(looks.filter((l) => l.flare).length).toBe(3);
    expect(looks.filter((l) => l.blur).length).toBe(3);
    expect(frameLooks(drift(7), 10)).toEqual(frameLooks(drift(7), 10));
  });

  it("centred, each channel's multipliers have a geometric mean of 1 over the capture", () => {
    const drawn = drift(testSeed());
    const centred = frameLooks({ ...drawn, centred: true }, 72);
    const logMean = (xs: number[]) => xs.reduce((s, v) => s + Math.log(v), 0) / xs.length;
    for (let c = 0; c < 3; c++) {
      const channel = centred.map((l) => l.gain * l.balance[c]!);
      expect(Math.abs(logMean(channel))).toBeLessThan(2e-3);
    }
    for (const l of centred) {
      expect(Math.abs(l.gain - 1)).toBeLessThanOrEqual(0.4 + 1e-12);
      for (const b of l.balance) expect(Math.abs(b - 1)).toBeLessThanOrEqual(0.15 + 1e-12);
    }
    // Same draw otherwise: the flares and blurs stay where they were.
    const plain = frameLooks(drawn, 72);
    expect(centred.map((l) => l.flare)).toEqual(plain.map((l) => l.flare));
    expect(centred.map((l) => l.blur)).toEqual(plain.map((l) => l.blur));
  });

  it("applies gain and white balance to the stored values, clipped at white", () => {
    const rgba = Uint8Array.from([100, 100, 100, 255, 200, 200, 200, 255]);
    applyLook(rgba, 2, 1, { gain: 1.4, balance: [1.1, 1, 0.9], flare: null, blur: null });
    expect([...rgba]).toEqual([154, 140, 126, 255, 255, 255, 252, 255]);
  });

  it("a blurred frame keeps its mean, a flared one brightens", () => {
    const w = 32;
    const rgba = new Uint8Array(w * w * 4);
    for (let i = 0; i < w * w; i++) rgba.set([(i % w) * 8, 50, 50, 255], i * 4);
    const mean = (a: Uint8Array) => a.reduce((s, v, i) => (i % 4 === 3 ? s : s + v), 0);
    const blurred = rgba.slice();
    const none = { gain: 1, balance: [1, 1, 1] as [number, number, number], flare: null };
    applyLook(blurred, w, w, { ...none, blur: { dx: 1, dy: 0, length: 6 } });
    expect(Math.abs(mean(blurred) / mean(rgba) - 1)).toBeLessThan(0.02);
    expect(blurred).not.toEqual(rgba);
    const flared = rgba.slice();
    applyLook(flared, w, w, {
      ...none,
      blur: null,
      flare: { x: 0.5, y: 0.5, radius: 0.2, strength: 0.5 },
    });
    expect(mean(flared)).toBeGreaterThan(mean(rgba) * 1.05);
  });
});
