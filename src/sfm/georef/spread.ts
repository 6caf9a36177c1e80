/** How points spread: the singular values of their centred coordinates, largest first. */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { centroid, sub, unit, type Vec3 } from "./similarity.js";

/**
 * Singular values of the n×3 matrix of the points about their centroid (the square roots of the
 * scatter matrix's eigenvalues), largest first: √n × the RMS extent along each principal axis.
 */
export function singularValues(points: readonly Vec3[]): [number, number, number] {
  return scatter(points).values;
}

/** The direction along which the points spread most. */
export function principalAxis(points: readonly Vec3[]): Vec3 {
  return scatter(points).axis;
}

function scatter(points: readonly Vec3[]): { values: [number, number, number]; axis: Vec3 } {
  const c = centroid(points);
  const S = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const p of points) {
    const d = sub(p, c);
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) S[r]![k]! += d[r]! * d[k]!;
  }
  const e = new EigenvalueDecomposition(new Matrix(S), { assumeSymmetric: true });
  const order = e.realEigenvalues.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const V = e.eigenvectorMatrix;
  const top = order[0]![1];
  const v = order.map(([x]) => Math.sqrt(Math.max(0, x)));
  return {
    values: [v[0]!, v[1]!, v[2]!],
    axis: unit([V.get(0, top), V.get(1, top), V.get(2, top)]),
  };
}
