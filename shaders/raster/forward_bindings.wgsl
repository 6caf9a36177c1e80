// Bindings of both forward rasterizer layouts (the host binds them in this order).

//#include common/camera

@group(0) @binding(0) var<uniform> cam: Camera;
@group(0) @binding(1) var<storage, read> proj: array<vec4f>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2u>;
@group(0) @binding(3) var<storage, read> sortedInst: array<u32>;
@group(0) @binding(4) var<storage, read> instSplat: array<u32>;
@group(0) @binding(5) var<storage, read_write> image: array<f32>;
@group(0) @binding(6) var<storage, read_write> finalT: array<f32>;
@group(0) @binding(7) var<storage, read_write> lastCount: array<u32>;
@group(0) @binding(8) var<storage, read_write> counters: array<atomic<u32>>;
