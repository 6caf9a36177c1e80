// Type-only imports next to value imports from the same module.
import type { Stats } from "node:fs";
import { type Dirent, existsSync } from "node:fs";
let maybeStats: Stats | undefined;
const noDirents: Dirent[] = [];
const rootExists: boolean = existsSync("/");
function size(s: Stats | undefined): number { return s?.size ?? -1; }
console.log(rootExists, maybeStats, noDirents.length, size(maybeStats));
