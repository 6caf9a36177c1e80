// Computed keys in patterns refer to earlier constants.
const KEY = "quality";
const other = "speed" as const;
const preset = { quality: 9, speed: 2, [`${other}Max`]: 5 };
const { [KEY]: q, [other]: s } = preset;
console.log(q, s);
const { [`${other}Max`]: max = 0 } = preset as Record<string, number>;
console.log(max);
let target = 0;
({ [KEY]: target } = preset);
console.log(target);
