import { open } from "node:fs/promises";
import { SplatbookError } from "../util/errors.js";

/**
 * Width and height of a PNG or JPEG from its header (no decoding, reads at most 64 KiB), so
 * intrinsics can be checked against the frames COLMAP will see.
 */
export async function readImageSize(path: string): Promise<{ width: number; height: number }> {
  let bytes: Buffer;
  try {
    const fh = await open(path, "r");
    try {
      const buf = Buffer.alloc(65536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      bytes = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SplatbookError(`${path}: cannot read image (${code})`, { file: path });
  }
  const size = pngSize(bytes) ?? jpegSize(bytes);
  if (!size) throw new SplatbookError(`${path}: not a PNG or JPEG image`, { file: path });
  return size;
}

function pngSize(b: Buffer): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || !sig.every((v, i) => b[i] === v)) return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Walks JPEG markers to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC). */
function jpegSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isSof) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}
