/** Shared helpers of the exporters: allocation, SH degree from a coefficient count, validation. */
import { shCoeffCount, type GaussianParams } from "../contracts/gaussians.js";
import { SplatbookError } from "../util/errors.js";

/** SH degree whose (degree+1)² − 1 rest coefficients per channel give `restPerChannel`, or null. */
export function degreeFromRestCount(restPerChannel: number): number | null {
  for (let d = 0; d <= 3; d++) if (shCoeffCount(d) - 1 === restPerChannel) return d;
  return null;
}

/**
 * Throws a SplatbookError naming `file` if the arrays do not fit `count`/`maxShDegree` or hold a
 * non-finite value (a NaN from a diverged run must not reach a viewer).
 */
export function validateParams(
  params: GaussianParams<Float32Array | Float64Array>,
  file: string,
): void {
  const K = shCoeffCount(params.maxShDegree);
  const expected: [keyof GaussianParams, number][] = [
    ["means", 3],
    ["logScales", 3],
    ["quats", 4],
    ["opacityLogits", 1],
    ["sh", K * 3],
  ];
  if (!Number.isInteger(params.count) || params.count < 0) {
    throw new SplatbookError(`${file}: invalid splat count ${params.count}`, { file });
  }
  for (const [key, width] of expected) {
    const arr = params[key] as Float32Array | Float64Array;
    if (arr.length !== params.count * width) {
      throw new SplatbookError(
        `${file}: ${key} holds ${arr.length} values, expected ${params.count * width} for ${params.count} splats`,
        { file },
      );
    }
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) {
        throw new SplatbookError(
          `${file}: splat ${Math.floor(i / width)} has a non-finite ${key} value (${arr[i]})`,
          { file },
        );
      }
    }
  }
}
