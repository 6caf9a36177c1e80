/**
 * Buffer helpers: creation with byte accounting (for the benchmark's peak-memory figure),
 * uploads, readbacks and a growable storage buffer that is reused across steps.
 */

/** Running totals of GPU buffer bytes allocated by this process. */
export const gpuMemory = { current: 0, peak: 0 };

/** Usage flags (numeric, so this module works before the webgpu globals are installed). */
export const Usage = {
  MAP_READ: 0x1,
  MAP_WRITE: 0x2,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  INDEX: 0x10,
  VERTEX: 0x20,
  UNIFORM: 0x40,
  STORAGE: 0x80,
  INDIRECT: 0x100,
  QUERY_RESOLVE: 0x200,
} as const;

/** Storage usage that can also be uploaded to and read back. */
export const STORAGE_RW: number = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;

/** Creates a buffer (size rounded up to 4 bytes, at least 16) and accounts for it. */
export function createBuffer(
  device: GPUDevice,
  size: number,
  usage: number = STORAGE_RW,
  label?: string,
): GPUBuffer {
  const bytes = Math.max(16, Math.ceil(size / 4) * 4);
  const buffer = device.createBuffer({ size: bytes, usage, label });
  gpuMemory.current += bytes;
  gpuMemory.peak = Math.max(gpuMemory.peak, gpuMemory.current);
  return buffer;
}

/** Destroys a buffer created by {@link createBuffer}. */
export function destroyBuffer(buffer: GPUBuffer | null | undefined): void {
  if (!buffer) return;
  gpuMemory.current -= buffer.size;
  buffer.destroy();
}

/** Creates a storage buffer holding `data`. */
export function uploadBuffer(
  device: GPUDevice,
  data: ArrayBufferView,
  usage: number = STORAGE_RW,
  label?: string,
): GPUBuffer {
  const buffer = createBuffer(device, data.byteLength, usage, label);
  writeBuffer(device, buffer, data);
  return buffer;
}

/** queue.writeBuffer with the size padded to a multiple of 4. */
export function writeBuffer(
  device: GPUDevice,
  buffer: GPUBuffer,
  data: ArrayBufferView,
  offset = 0,
): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength % 4 === 0) {
    device.queue.writeBuffer(buffer, offset, bytes);
  } else {
    const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    padded.set(bytes);
    device.queue.writeBuffer(buffer, offset, padded);
  }
}

/** Copies `size` bytes of `buffer` (from `offset`) to the CPU. */
export async function readBuffer(
  device: GPUDevice,
  buffer: GPUBuffer,
  size = buffer.size,
  offset = 0,
): Promise<ArrayBuffer> {
  const bytes = Math.ceil(size / 4) * 4;
  if (bytes === 0) return new ArrayBuffer(0);
  const staging = device.createBuffer({
    size: bytes,
    usage: Usage.MAP_READ | Usage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  const out = staging.getMappedRange().slice(0, size);
  staging.unmap();
  staging.destroy();
  return out;
}

/** Reads `count` float32 values back, from byte `offset`. */
export async function readF32(device: GPUDevice, buffer: GPUBuffer, count: number, offset = 0) {
  return new Float32Array(await readBuffer(device, buffer, count * 4, offset));
}

/** Reads `count` uint32 values back, from byte `offset`. */
export async function readU32(device: GPUDevice, buffer: GPUBuffer, count: number, offset = 0) {
  return new Uint32Array(await readBuffer(device, buffer, count * 4, offset));
}

/**
 * A storage buffer that keeps its allocation across steps and only grows (by 1.5×) when a step
 * needs more; the contents are not preserved on growth.
 */
export class GrowableBuffer {
  private buffer: GPUBuffer | null = null;
  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    private readonly usage: number = STORAGE_RW,
  ) {}
  /** Returns a buffer of at least `bytes` bytes. */
  ensure(bytes: number): GPUBuffer {
    const need = Math.max(16, Math.ceil(bytes / 4) * 4);
    if (!this.buffer || this.buffer.size < need) {
      destroyBuffer(this.buffer);
      const size = this.buffer ? Math.max(need, Math.ceil((this.buffer.size * 1.5) / 4) * 4) : need;
      this.buffer = createBuffer(this.device, size, this.usage, this.label);
    }
    return this.buffer;
  }
  get current(): GPUBuffer {
    if (!this.buffer) throw new Error(`buffer ${this.label} used before allocation`);
    return this.buffer;
  }
  destroy(): void {
    destroyBuffer(this.buffer);
    this.buffer = null;
  }
}
