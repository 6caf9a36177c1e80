// Destructuring assignments to earlier variables, with renaming and defaults.
let width = 0, height = 0, label = "";
const frame = { w: 1920, h: 1080, meta: { label: "hd" } };
({ w: width, h: height } = frame);
console.log(width, height);
({ meta: { label } } = frame);
console.log(label);
({ w: width = 5, extra: height = 99 } = { w: undefined } as { w?: number; extra?: number });
console.log(width, height);
const sizes: number[] = [];
({ w: sizes[0], h: sizes[1] } = frame);
console.log(sizes);
