/**
 * The mapper holds the radial term at 0, so a SIMPLE_RADIAL camera (f, cx, cy, k = 0) is exactly
 * PINHOLE (f, f, cx, cy). COLMAP's image_undistorter copies a camera without distortion unchanged,
 * so the training workspace is made PINHOLE here, in place: both models take four f64 parameters,
 * so cameras.bin keeps its layout (u64 count; per camera i32 id, i32 model, u64 width, u64 height,
 * f64 params).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically } from "../util/atomicFile.js";

const PINHOLE = 1;
const SIMPLE_RADIAL = 2;

/** Rewrites `<dir>/cameras.bin` with every distortion-free SIMPLE_RADIAL camera as PINHOLE. */
export async function simpleRadialToPinhole(dir: string): Promise<number> {
  const file = join(dir, "cameras.bin");
  const buf = Buffer.from(await readFile(file));
  const count = Number(buf.readBigUInt64LE(0));
  let at = 8;
  let changed = 0;
  for (let i = 0; i < count; i++) {
    const model = buf.readInt32LE(at + 4);
    const params = at + 24;
    // Only SIMPLE_RADIAL and PINHOLE are written by this stage; both have four parameters.
    if (model !== SIMPLE_RADIAL && model !== PINHOLE) break;
    if (model === SIMPLE_RADIAL && buf.readDoubleLE(params + 24) === 0) {
      const [f, cx, cy] = [0, 8, 16].map((o) => buf.readDoubleLE(params + o));
      buf.writeInt32LE(PINHOLE, at + 4);
      [f!, f!, cx!, cy!].forEach((v, k) => buf.writeDoubleLE(v, params + 8 * k));
      changed++;
    }
    at = params + 32;
  }
  if (changed) await writeFileAtomically(file, buf);
  return changed;
}
