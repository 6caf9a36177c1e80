/**
 * Per-step uniform data: every dispatch that needs its own parameters (e.g. each radix pass's
 * bit shift) gets a 256-byte-aligned slot. Slots live in fixed 64 KiB chunks so a bind group
 * never points at a buffer that is replaced mid-step; all writes go out before the submit.
 */
import { Usage, createBuffer, destroyBuffer } from "./buffers.js";

const CHUNK = 65536;
const SLOT_ALIGN = 256;

/** A bump allocator of uniform slots, reset at the start of every step. */
export class UniformArena {
  private readonly chunks: { buffer: GPUBuffer; data: Uint8Array; used: number }[] = [];
  private active = 0;
  constructor(private readonly device: GPUDevice) {}

  /** Starts a new step: previous slots may be overwritten. */
  reset(): void {
    for (const c of this.chunks) c.used = 0;
    this.active = 0;
  }

  /** Copies `words` (u32 or f32 views, ≤ 256 bytes) into a fresh slot and returns its binding. */
  alloc(words: ArrayBufferView): { buffer: GPUBuffer; offset: number; size: number } {
    const size = Math.ceil(words.byteLength / 16) * 16;
    let chunk = this.chunks[this.active];
    if (chunk && chunk.used + size > CHUNK) chunk = this.chunks[++this.active];
    if (!chunk) {
      chunk = {
        buffer: createBuffer(this.device, CHUNK, Usage.UNIFORM | Usage.COPY_DST, "uniforms"),
        data: new Uint8Array(CHUNK),
        used: 0,
      };
      this.chunks.push(chunk);
      this.active = this.chunks.length - 1;
    }
    const offset = chunk.used;
    chunk.data.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength), offset);
    chunk.used = Math.ceil((offset + size) / SLOT_ALIGN) * SLOT_ALIGN;
    return { buffer: chunk.buffer, offset, size };
  }

  /** Uploads the slots written since the last reset. Call before submitting. */
  flush(): void {
    for (const c of this.chunks) {
      if (c.used > 0) this.device.queue.writeBuffer(c.buffer, 0, c.data, 0, c.used);
    }
  }

  destroy(): void {
    for (const c of this.chunks) destroyBuffer(c.buffer);
    this.chunks.length = 0;
  }
}

/** Packs mixed u32/f32 fields into one uniform block (each field 4 bytes, in order). */
export function packUniform(fields: { u?: number; f?: number }[]): Uint32Array {
  const out = new Uint32Array(Math.max(4, Math.ceil(fields.length / 4) * 4));
  const asF = new Float32Array(out.buffer);
  fields.forEach((v, i) => {
    if (v.f !== undefined) asF[i] = v.f;
    else out[i] = v.u ?? 0;
  });
  return out;
}
