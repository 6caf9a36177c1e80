// The per-view uniform block of the splat kernels (written by cameraUniform in
// src/train/gpu/layout.ts, 112 bytes): world→camera rows, intrinsics, image and tile-grid size,
// splat count, active SH degree, SH coefficients per channel of the parameter layout, and the
// anti-aliasing flags (bit 0: 3D smoothing filter, bit 1: 2D opacity compensation).

struct Camera {
  row0: vec4f, row1: vec4f, row2: vec4f, // world→camera [R | t], rows
  focal: vec2f, principal: vec2f,
  size: vec2f, tiles: vec2u,
  width: u32, height: u32, count: u32, shDegree: u32,
  maxK: u32, flags: u32, _p1: u32, _p2: u32,
}
