/** Splits a workgroup count over x and y to stay under maxComputeWorkgroupsPerDimension. */
export function groups2d(count: number, maxPerDim = 65535): [number, number] {
  if (count <= maxPerDim) return [count, 1];
  const y = Math.ceil(count / maxPerDim);
  return [Math.ceil(count / y), y];
}
