// Typed arrays and DataView over a buffer shared across statements.
const buffer = new ArrayBuffer(16);
const floats = new Float32Array(buffer);
const view = new DataView(buffer);
floats.set([1.5, -2, 0.25]);
view.setUint8(15, 255);
console.log(Array.from(floats), view.getUint8(15), new Uint8Array(buffer, 12));
const mean = floats.slice(0, 3).reduce((a, b) => a + b) / 3;
console.log(mean.toFixed(3), floats.byteLength);
