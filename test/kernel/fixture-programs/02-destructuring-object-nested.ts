// Nested object patterns: renaming, defaults, rest, at several depths.
const settings = { video: { fps: 30, size: { w: 640, h: 480 } }, tags: ["a", "b"], name: "cap" };
const { video: { fps: rate, size: { w: width, h: height = 1 } }, ...others } = settings;
console.log(rate, width, height, others);
const { video: { size: dims }, tags: [firstTag, ...moreTags] } = settings;
console.log(dims, firstTag, moreTags);
const { missing: { deep = "default" } = {} } = settings as { missing?: { deep?: string } };
console.log(deep);
