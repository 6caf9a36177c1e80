/** The similarity between two sets of corresponding points (Horn's closed form). */

type V3 = [number, number, number];
type M3 = number[][];

/** Eigenvector of the largest eigenvalue of a symmetric 4×4 matrix (Jacobi rotations). */
function topEigenvector(a: number[][]): number[] {
  const n = 4;
  const A = a.map((r) => [...r]);
  const V: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p]![q]!) < 1e-300) continue;
        const theta = (A[q]![q]! - A[p]![p]!) / (2 * A[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [A[k]![p]!, A[k]![q]!];
          A[k]![p] = c * akp - s * akq;
          A[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [A[p]![k]!, A[q]![k]!];
          A[p]![k] = c * apk - s * aqk;
          A[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const [vkp, vkq] = [V[k]![p]!, V[k]![q]!];
          V[k]![p] = c * vkp - s * vkq;
          V[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (A[i]![i]! > A[best]![best]!) best = i;
  return V.map((row) => row[best]!);
}

/** Similarity dst ≈ s·R·src + t fitted to point pairs (Horn 1987, unit quaternions). */
export function fitSimilarity(src: readonly V3[], dst: readonly V3[]): { s: number; R: M3; t: V3 } {
  const mean = (ps: readonly V3[]) =>
    [0, 1, 2].map((k) => ps.reduce((a, p) => a + p[k]!, 0) / ps.length) as V3;
  const [ms, md] = [mean(src), mean(dst)];
  const a = src.map((p) => p.map((x, k) => x - ms[k]!));
  const b = dst.map((p) => p.map((x, k) => x - md[k]!));
  const S = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => a.reduce((acc, p, n) => acc + p[i]! * b[n]![j]!, 0)),
  );
  const [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]] = S as [number[], number[], number[]];
  const N = [
    [xx! + yy! + zz!, yz! - zy!, zx! - xz!, xy! - yx!],
    [yz! - zy!, xx! - yy! - zz!, xy! + yx!, zx! + xz!],
    [zx! - xz!, xy! + yx!, -xx! + yy! - zz!, yz! + zy!],
    [xy! - yx!, zx! + xz!, yz! + zy!, -xx! - yy! + zz!],
  ];
  const [w, x, y, z] = topEigenvector(N) as [number, number, number, number];
  const R: M3 = [
    [w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z],
  ];
  const norm = (ps: number[][]) =>
    ps.reduce((acc, p) => acc + p[0]! ** 2 + p[1]! ** 2 + p[2]! ** 2, 0);
  const s = Math.sqrt(norm(b) / norm(a));
  const Rms = R.map((row) => row[0]! * ms[0] + row[1]! * ms[1] + row[2]! * ms[2]);
  const t = [0, 1, 2].map((k) => md[k]! - s * Rms[k]!) as V3;
  return { s, R, t };
}
