/**
 * Simulated phone auto-exposure for corpus captures: every frame gets its own gain (a smooth
 * drift plus per-frame jitter, up to ±`gain`), a drifting white balance (red against blue, up to
 * ±`whiteBalance`, with a little green tint), and a few frames get lens flare or motion blur.
 * Applied to the rendered 8-bit frames in their stored (gamma-encoded) values and clipped, as a
 * camera's image pipeline saturates; deterministic for a seed.
 */
import { mulberry32 } from "../util/random.js";

/** How a capture's frames drift (part of its render specification, so of its cache key). */
export interface ExposureDrift {
  kind: "auto-exposure";
  seed: number;
  /** Largest relative gain change (0.4: gains within 0.6–1.4). */
  gain: number;
  /** Largest relative red/blue white-balance tilt (0.15: ±15 %). */
  whiteBalance: number;
  /** Frames with a lens flare, and frames with motion blur. */
  flareFrames: number;
  blurFrames: number;
  /**
   * Scale every channel's multipliers so their geometric mean over the capture is 1, as an
   * auto-exposure loop holds the mean brightness: the unaltered frames are then the capture's
   * mean exposure, the one a compensated model can recover. Without it the slow drifts leave
   * the capture's mean a few per cent off the unaltered exposure, which no image reveals.
   */
  centred?: boolean;
}

/** What happens to one frame. */
export interface FrameLook {
  gain: number;
  /** Per-channel multipliers of the white balance. */
  balance: [number, number, number];
  /** An additive glow (centre and radius relative to the frame's width) with a ghost ring. */
  flare: { x: number; y: number; radius: number; strength: number } | null;
  /** A linear motion blur: direction and length in pixels. */
  blur: { dx: number; dy: number; length: number } | null;
}

/** Frame `k`'s appearance of `frames` (0-based). */
export function frameLooks(d: ExposureDrift, frames: number): FrameLook[] {
  const looks = driftedLooks(d, frames);
  return d.centred ? centreLooks(looks, d) : looks;
}

/** The drift as drawn: slow drifts and jitter, clamped to the stated ranges. */
function driftedLooks(d: ExposureDrift, frames: number): FrameLook[] {
  const rand = mulberry32(d.seed);
  const phases = [rand(), rand(), rand(), rand()].map((p) => p * 2 * Math.PI);
  const pick = (n: number) => {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(n, frames)) chosen.add(Math.floor(rand() * frames));
    return chosen;
  };
  const flares = pick(d.flareFrames);
  const blurs = pick(d.blurFrames);
  return Array.from({ length: frames }, (_, k) => {
    const t = k / Math.max(1, frames - 1);
    // Two slow drifts and a jitter: an exposure that hunts as the view changes.
    const drift =
      0.6 * Math.sin(2 * Math.PI * 1.3 * t + phases[0]!) +
      0.3 * Math.sin(2 * Math.PI * 3.7 * t + phases[1]!) +
      0.3 * (rand() - 0.5);
    const tilt = 0.8 * Math.sin(2 * Math.PI * 0.9 * t + phases[2]!) + 0.4 * (rand() - 0.5);
    const tint = 0.2 * Math.sin(2 * Math.PI * 2.1 * t + phases[3]!);
    const w = d.whiteBalance * Math.max(-1, Math.min(1, tilt));
    const angle = rand() * Math.PI;
    return {
      gain: 1 + d.gain * Math.max(-1, Math.min(1, drift)),
      balance: [1 + w, 1 + d.whiteBalance * tint, 1 - w] as [number, number, number],
      flare: flares.has(k)
        ? {
            x: 0.2 + 0.6 * rand(),
            y: 0.1 + 0.4 * rand(),
            radius: 0.15 + 0.1 * rand(),
            strength: 0.5,
          }
        : null,
      blur: blurs.has(k)
        ? { dx: Math.cos(angle), dy: Math.sin(angle), length: 4 + 4 * rand() }
        : null,
    };
  });
}

/**
 * Divides the gains and each channel's balance by their geometric means and clamps them to the
 * stated ranges again, a few times, since a clamp moves the mean a little.
 */
function centreLooks(looks: FrameLook[], d: ExposureDrift): FrameLook[] {
  const clamp = (v: number, spread: number) => Math.max(1 - spread, Math.min(1 + spread, v));
  const centre = (xs: number[], spread: number) => {
    let out = xs;
    for (let round = 0; round < 5; round++) {
      const g = Math.exp(out.reduce((s, v) => s + Math.log(v), 0) / out.length);
      out = out.map((v) => clamp(v / g, spread));
    }
    return out;
  };
  const gains = centre(
    looks.map((l) => l.gain),
    d.gain,
  );
  const channels = [0, 1, 2].map((c) =>
    centre(
      looks.map((l) => l.balance[c]!),
      d.whiteBalance,
    ),
  );
  return looks.map((l, k) => ({
    ...l,
    gain: gains[k]!,
    balance: [channels[0]![k]!, channels[1]![k]!, channels[2]![k]!],
  }));
}

/** Applies an appearance to an RGBA 8-bit frame in place. */
export function applyLook(
  rgba: Uint8Array | Buffer,
  width: number,
  height: number,
  a: FrameLook,
): void {
  const src = a.blur ? motionBlur(rgba, width, height, a.blur) : Float32Array.from(rgba);
  const f = a.flare;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      let glow = 0;
      if (f) {
        const r = Math.hypot(x / width - f.x, (y - f.y * height) / width) / f.radius;
        // A soft core and a faint ghost ring, as a bright light source in front of the lens.
        glow = f.strength * (Math.exp(-r * r * 2) + 0.25 * Math.exp(-((r - 1.6) ** 2) * 20));
      }
      for (let c = 0; c < 3; c++) {
        const tintGlow = glow * (c === 0 ? 1 : c === 1 ? 0.85 : 0.6) * 255;
        const v = src[i + c]! * a.gain * a.balance[c]! + tintGlow;
        rgba[i + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}

/** A box blur along (dx, dy) over `length` pixels, edges clamped. */
function motionBlur(
  rgba: Uint8Array | Buffer,
  width: number,
  height: number,
  b: { dx: number; dy: number; length: number },
): Float32Array {
  const out = new Float32Array(rgba.length);
  const taps = Math.max(2, Math.round(b.length));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let s = 0; s < taps; s++) {
        const o = s / (taps - 1) - 0.5;
        const xx = Math.min(width - 1, Math.max(0, Math.round(x + o * b.length * b.dx)));
        const yy = Math.min(height - 1, Math.max(0, Math.round(y + o * b.length * b.dy)));
        const j = (yy * width + xx) * 4;
        for (let c = 0; c < 4; c++) out[i + c] += rgba[j + c]! / taps;
      }
    }
  }
  return out;
}
