// Fixture: a name another area declares too (with other code).
export function cameraCentre(m: number[]): number[] {
  return [-m[3]!, -m[7]!, -m[11]!];
}
export type Vec3 = [number, number, number];
