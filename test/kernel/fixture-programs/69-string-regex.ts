// Regular expressions with groups, flags and replacement callbacks.
const pattern = /(?<name>\w+)_(?<index>\d+)\.png/g;
const files = "frame_001.png frame_002.png other.txt mask_7.png";
const matches = [...files.matchAll(pattern)].map((m) => `${m.groups!.name}#${Number(m.groups!.index)}`);
console.log(matches);
const renamed = files.replace(pattern, (_all, name: string, index: string) => `${name.toUpperCase()}-${index}`);
console.log(renamed);
const sticky = /a/y;
sticky.lastIndex = 1;
console.log(sticky.test("ba"), pattern.flags, "x".padEnd(3, "-").split(""));
