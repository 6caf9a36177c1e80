// `export` on declarations: in a notebook the names are simply shared.
export const ev = 41;
export function ef() { return ev + 1; }
export class EC { v = 3; }
export interface EI { a: number }
export type ET = EI;
export enum EE { X = 1 }
export namespace EN { export const y = 2; }
const ei: ET = { a: EE.X + EN.y };
console.log(ev, ef(), new EC().v, ei.a);
