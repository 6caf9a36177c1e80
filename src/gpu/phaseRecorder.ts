/**
 * Records a batch of GPU work (e.g. one training step) as named phases. With timestamp queries
 * every phase is a compute pass with begin/end timestamps in one command encoder; without them (and when timing is
 * asked for) each phase is submitted alone and timed by wall clock with onSubmittedWorkDone;
 * with timing off, phases are just passes in one encoder.
 */
import { Usage, createBuffer, destroyBuffer } from "./buffers.js";
import type { UniformArena } from "./uniforms.js";

/** How phase times are measured. */
export type TimingMode = "off" | "timestamps" | "wall";

const MAX_PASSES = 32;

/** Query resources reused across steps. */
export class TimestampPool {
  readonly querySet: GPUQuerySet;
  readonly resolve: GPUBuffer;
  readonly staging: GPUBuffer;
  constructor(device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: "timestamp", count: MAX_PASSES * 2 });
    this.resolve = createBuffer(device, MAX_PASSES * 16, Usage.QUERY_RESOLVE | Usage.COPY_SRC);
    this.staging = createBuffer(device, MAX_PASSES * 16, Usage.MAP_READ | Usage.COPY_DST);
  }
  destroy(): void {
    this.querySet.destroy();
    destroyBuffer(this.resolve);
    destroyBuffer(this.staging);
  }
}

/** One batch's command recording. */
export class PhaseRecorder {
  encoder: GPUCommandEncoder;
  private readonly names: string[] = [];
  private readonly wallMs: Record<string, number> = {};
  constructor(
    private readonly device: GPUDevice,
    private readonly uniforms: UniformArena,
    private readonly mode: TimingMode,
    private readonly pool: TimestampPool | null,
  ) {
    this.encoder = device.createCommandEncoder();
  }

  /** Records `body` as (part of) phase `name`. */
  async phase(name: string, body: (pass: GPUComputePassEncoder) => void): Promise<void> {
    const useTs = this.mode === "timestamps" && this.pool && this.names.length < MAX_PASSES;
    const pass = this.encoder.beginComputePass(
      useTs
        ? {
            timestampWrites: {
              querySet: this.pool!.querySet,
              beginningOfPassWriteIndex: this.names.length * 2,
              endOfPassWriteIndex: this.names.length * 2 + 1,
            },
          }
        : {},
    );
    body(pass);
    pass.end();
    if (useTs) this.names.push(name);
    if (this.mode === "wall") {
      const t0 = performance.now();
      await this.submit();
      await this.device.queue.onSubmittedWorkDone();
      this.wallMs[name] = (this.wallMs[name] ?? 0) + performance.now() - t0;
    }
  }

  /** Submits what has been recorded and starts a new encoder. */
  async submit(): Promise<void> {
    this.uniforms.flush();
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = this.device.createCommandEncoder();
  }

  /** Resolves the timestamps (call before the final submit). */
  resolveTimestamps(): void {
    if (this.mode !== "timestamps" || !this.pool || this.names.length === 0) return;
    const n = this.names.length * 2;
    this.encoder.resolveQuerySet(this.pool.querySet, 0, n, this.pool.resolve, 0);
    this.encoder.copyBufferToBuffer(this.pool.resolve, 0, this.pool.staging, 0, n * 8);
  }

  /** Milliseconds per phase, after the final submit. */
  async phaseMs(): Promise<Record<string, number>> {
    if (this.mode === "wall") return { ...this.wallMs };
    if (this.mode !== "timestamps" || !this.pool || this.names.length === 0) return {};
    await this.pool.staging.mapAsync(0x1);
    const ticks = new BigUint64Array(this.pool.staging.getMappedRange().slice(0));
    this.pool.staging.unmap();
    const out: Record<string, number> = {};
    this.names.forEach((name, k) => {
      const ns = Number(ticks[2 * k + 1]! - ticks[2 * k]!);
      out[name] = (out[name] ?? 0) + ns / 1e6;
    });
    return out;
  }
}
