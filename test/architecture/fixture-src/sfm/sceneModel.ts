// Fixture: the second declaration of cameraCentre and Vec3; the re-exports below are not.
export function cameraCentre(viewmat: ArrayLike<number>): number[] {
  return [viewmat[3]!, viewmat[7]!, viewmat[11]!].map((v) => -v);
}
export interface Vec3 {
  x: number;
}
