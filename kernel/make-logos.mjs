// Renders kernel/logo-32x32.png and logo-64x64.png: a few soft Gaussian "splats" on a dark
// rounded square. Run once with `node kernel/make-logos.mjs`; the PNGs are committed.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";

const here = dirname(fileURLToPath(import.meta.url));
const splats = [
  { x: 0.36, y: 0.4, s: 0.16, rgb: [255, 122, 69] },
  { x: 0.62, y: 0.36, s: 0.13, rgb: [255, 214, 80] },
  { x: 0.5, y: 0.64, s: 0.17, rgb: [64, 170, 255] },
];
for (const size of [32, 64]) {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const u = (px + 0.5) / size;
      const v = (py + 0.5) / size;
      // Rounded-square mask with a one-pixel soft edge.
      const r = 0.18;
      const dx = Math.max(Math.abs(u - 0.5) - (0.5 - r), 0);
      const dy = Math.max(Math.abs(v - 0.5) - (0.5 - r), 0);
      const edge = (r - Math.hypot(dx, dy)) * size;
      const alpha = Math.max(0, Math.min(1, edge));
      let c = [30, 34, 48];
      for (const s of splats) {
        const w = Math.exp(-((u - s.x) ** 2 + (v - s.y) ** 2) / (2 * s.s * s.s)) * 0.95;
        c = c.map((ch, i) => ch * (1 - w) + s.rgb[i] * w);
      }
      const o = (py * size + px) * 4;
      png.data[o] = Math.round(c[0]);
      png.data[o + 1] = Math.round(c[1]);
      png.data[o + 2] = Math.round(c[2]);
      png.data[o + 3] = Math.round(alpha * 255);
    }
  }
  writeFileSync(join(here, `logo-${size}x${size}.png`), PNG.sync.write(png));
}
