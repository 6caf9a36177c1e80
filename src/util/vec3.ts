/**
 * 3-vectors as tuples, and the handful of operations every frame computation needs (camera
 * centres, look-at frames, similarity fits). Inputs are any array of at least three numbers.
 */

/** A point or direction in 3D. */
export type Vec3 = [number, number, number];

/** a·b. */
export const dot = (a: readonly number[], b: readonly number[]) =>
  a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;

/** a − b. */
export const sub = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[0]! - b[0]!,
  a[1]! - b[1]!,
  a[2]! - b[2]!,
];

/** a + b. */
export const add = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[0]! + b[0]!,
  a[1]! + b[1]!,
  a[2]! + b[2]!,
];

/** k·a. */
export const scale = (a: readonly number[], k: number): Vec3 => [a[0]! * k, a[1]! * k, a[2]! * k];

/** |a|. */
export const norm = (a: readonly number[]) => Math.hypot(a[0]!, a[1]!, a[2]!);

/** a × b. */
export const cross = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];

/** a / |a|; the zero vector stays zero. */
export const unit = (a: readonly number[]): Vec3 => scale(a, 1 / (norm(a) || 1));
