/**
 * Projection of one splat (float64): world → camera, 2D mean, EWA covariance with the low-pass,
 * conic, radius, tile rectangle and view-dependent colour; and its exact backward. Conventions in
 * ./conventions.ts.
 */
import { shCoeffCount, type GaussianParams, sigmoid } from "../../contracts/gaussians.js";
import { RASTER, TILE_SIZE, type Camera } from "../types.js";
import { REFERENCE_CONVENTIONS } from "./conventions.js";
import { cameraCentre, type Vec3 } from "../../contracts/sceneModel.js";
import {
  mul3,
  mulVec3,
  normalizeBackward,
  quatToMat,
  quatToMatBackward,
  splitViewmat,
  transpose3,
  type Mat3,
} from "./math.js";
import { evalShColour, evalShColourBackward } from "./sh.js";

/** Parameters as read by the reference: either precision. */
export type AnyParams = GaussianParams<Float32Array | Float64Array>;

/**
 * Anti-aliasing of a render (Mip-Splatting): a 3D smoothing filter per splat — its variance f
 * is added to every squared scale and the opacity is multiplied by Π s / sqrt(s² + f), so the
 * splat keeps its integral — and the 2D filter's opacity compensation sqrt(det Σ'₀ / det Σ'),
 * where Σ' = Σ'₀ + lowPass·I (gsplat's "antialiased" mode). Absent fields: plain 3DGS.
 */
export interface RasterOptions {
  /** Per-splat variance of the 3D smoothing filter (world units²). */
  filter3d?: ArrayLike<number>;
  /** Compensate the opacity for the screen-space low-pass. */
  antialiased?: boolean;
}

/** Everything the rasterizer and the backward pass need about one visible splat. */
export interface ProjectedSplat {
  index: number;
  /** Camera-space position t = R·mean + tvec. */
  camPoint: Vec3;
  /** 2D mean (u, v) in pixels. */
  mean2d: [number, number];
  /** Camera z. */
  depth: number;
  /** Σ' = (a, b, c) meaning [[a, b], [b, c]], low-pass included. */
  cov2d: [number, number, number];
  /** Σ'^{-1} = (A, B, C). */
  conic: [number, number, number];
  radius: number;
  /** Half-open tile rectangle [x0, x1) × [y0, y1). */
  tiles: { x0: number; x1: number; y0: number; y1: number };
  /** The opacity composited: σ(opacity logit) × the filters' factors. */
  opacity: number;
  /** σ(opacity logit). */
  baseOpacity: number;
  /** 3D filter factor Π s / s' (1 without the filter) and its variance f (0 without). */
  filterCoef: number;
  filterVar: number;
  /** 2D filter factor sqrt(det Σ'₀ / det Σ') (1 unless antialiased). */
  compensation: number;
  rgb: [number, number, number];
  rawRgb: [number, number, number];
  /** Unit view direction (mean − camera centre) and the unnormalised vector. */
  dir: Vec3;
  viewVec: Vec3;
  /** 3D covariance in world space and in camera space. */
  cov3d: Mat3;
  covCam: Mat3;
  /** EWA Jacobian rows (2×3, row-major) and whether x/z, y/z were clamped. */
  jac: number[];
  clampedX: boolean;
  clampedY: boolean;
}

/**
 * Reads splat i's normalised quaternion, scales and rotation; `s` are the scales the covariance
 * uses (widened by the 3D filter's variance `f`), `raw` the exp(log-scales).
 */
function splatShape(params: AnyParams, i: number, f = 0) {
  const q = [0, 1, 2, 3].map((k) => params.quats[i * 4 + k]!);
  const qn = Math.hypot(...q);
  const qhat = q.map((v) => v / qn) as [number, number, number, number];
  const raw = [0, 1, 2].map((k) => Math.exp(params.logScales[i * 3 + k]!)) as Vec3;
  const s = (f > 0 ? raw.map((v) => Math.sqrt(v * v + f)) : raw) as Vec3;
  const rot = quatToMat(...qhat);
  return { q, qn, qhat, s, raw, rot };
}

/** The 2D filter's compensation sqrt(det Σ'₀ / det Σ') and its partials (a, b, c of Σ'). */
export function compensation2d(a: number, b: number, c: number, lowPass: number) {
  const det1 = a * c - b * b;
  const det0 = (a - lowPass) * (c - lowPass) - b * b;
  if (!(det0 > 0) || !(det1 > 0)) return { rho: 0, da: 0, db: 0, dc: 0 };
  const rho = Math.sqrt(det0 / det1);
  return {
    rho,
    da: 0.5 * rho * ((c - lowPass) / det0 - c / det1),
    db: rho * b * (1 / det1 - 1 / det0),
    dc: 0.5 * rho * ((a - lowPass) / det0 - a / det1),
  };
}

/**
 * How many standard deviations the tile rectangle reaches: RASTER.sigmaExtent, or less where the
 * splat's alpha falls below alphaMin sooner (opacity·exp(−k²/2) = alphaMin), since such fragments
 * are skipped anyway; 0 (culled) when even the centre is below alphaMin. The image is the same,
 * with fewer splat-tile pairs for faint splats.
 */
export function sigmaExtent(opacity: number): number {
  if (!(opacity > RASTER.alphaMin)) return 0;
  return Math.min(RASTER.sigmaExtent, Math.sqrt(2 * Math.log(opacity / RASTER.alphaMin)));
}

/** Limits of x/z (or y/z) for the Jacobian clamp. */
function jacobianLimits(size: number, focal: number, principal: number): [number, number] {
  const margin = (REFERENCE_CONVENTIONS.frustumMargin * 0.5 * size) / focal;
  return [-principal / focal - margin, (size - principal) / focal + margin];
}

/**
 * Projects splat i; returns null when it is culled.
 * long: one straight pass over the math (camera
 * point, covariance, EWA Jacobian, conic, radius, tile rectangle, colour) on purpose: it reads
 * alongside project_forward.wgsl line by line, which splitting would obscure.
 */
export function projectSplat(
  params: AnyParams,
  i: number,
  camera: Camera,
  opts: RasterOptions = {},
): ProjectedSplat | null {
  const { r: view, t: tvec } = splitViewmat(camera.viewmat);
  const mean: Vec3 = [params.means[i * 3]!, params.means[i * 3 + 1]!, params.means[i * 3 + 2]!];
  const p = mulVec3(view, mean);
  const camPoint: Vec3 = [p[0] + tvec[0], p[1] + tvec[1], p[2] + tvec[2]];
  const [x, y, z] = camPoint;
  if (z < RASTER.nearPlane) return null;

  const filterVar = opts.filter3d?.[i] ?? 0;
  const { s, raw, rot } = splatShape(params, i, filterVar);
  const m = mul3(rot, [s[0], 0, 0, 0, s[1], 0, 0, 0, s[2]]);
  const cov3d = mul3(m, transpose3(m));
  const covCam = mul3(mul3(view, cov3d), transpose3(view));

  const [limXn, limXp] = jacobianLimits(camera.width, camera.fx, camera.cx);
  const [limYn, limYp] = jacobianLimits(camera.height, camera.fy, camera.cy);
  const rx = x / z;
  const ry = y / z;
  const tx = z * Math.min(limXp, Math.max(limXn, rx));
  const ty = z * Math.min(limYp, Math.max(limYn, ry));
  const { fx, fy } = camera;
  const jac = [fx / z, 0, (-fx * tx) / (z * z), 0, fy / z, (-fy * ty) / (z * z)];

  // Σ' = J Σc Jᵀ + lowPass·I (2×2 symmetric).
  const jc = [0, 1].map((row) =>
    [0, 1, 2].map(
      (col) =>
        jac[row * 3]! * covCam[col]! +
        jac[row * 3 + 1]! * covCam[3 + col]! +
        jac[row * 3 + 2]! * covCam[6 + col]!,
    ),
  );
  const dot = (row: number[], jr: number) =>
    row[0]! * jac[jr * 3]! + row[1]! * jac[jr * 3 + 1]! + row[2]! * jac[jr * 3 + 2]!;
  const a = dot(jc[0]!, 0) + RASTER.lowPass;
  const b = dot(jc[0]!, 1);
  const c = dot(jc[1]!, 1) + RASTER.lowPass;
  const det = a * c - b * b;
  if (!(det > 0)) return null;
  const conic: [number, number, number] = [c / det, -b / det, a / det];
  const mid = 0.5 * (a + c);
  const lambdaMax = mid + Math.sqrt(Math.max(0, mid * mid - det));
  const baseOpacity = sigmoid(params.opacityLogits[i]!);
  const filterCoef = filterVar > 0 ? (raw[0] * raw[1] * raw[2]) / (s[0] * s[1] * s[2]) : 1;
  const comp = opts.antialiased ? compensation2d(a, b, c, RASTER.lowPass).rho : 1;
  const opacity = baseOpacity * filterCoef * comp;
  const radius = Math.ceil(sigmaExtent(opacity) * Math.sqrt(lambdaMax));
  const u = (fx * x) / z + camera.cx;
  const v = (fy * y) / z + camera.cy;

  const tilesX = Math.ceil(camera.width / TILE_SIZE);
  const tilesY = Math.ceil(camera.height / TILE_SIZE);
  const clampInt = (value: number, hi: number) => Math.min(Math.max(value, 0), hi);
  const tiles = {
    x0: clampInt(Math.floor((u - radius) / TILE_SIZE), tilesX),
    x1: clampInt(Math.ceil((u + radius) / TILE_SIZE), tilesX),
    y0: clampInt(Math.floor((v - radius) / TILE_SIZE), tilesY),
    y1: clampInt(Math.ceil((v + radius) / TILE_SIZE), tilesY),
  };
  if (radius <= 0 || tiles.x1 <= tiles.x0 || tiles.y1 <= tiles.y0) return null;

  const centre = cameraCentre(camera.viewmat);
  const viewVec: Vec3 = [mean[0] - centre[0], mean[1] - centre[1], mean[2] - centre[2]];
  const vn = Math.hypot(...viewVec);
  const dir: Vec3 = [viewVec[0] / vn, viewVec[1] / vn, viewVec[2] / vn];
  const K = shCoeffCount(params.maxShDegree);
  const coefs = params.sh.subarray(i * K * 3, (i + 1) * K * 3);
  const colour = evalShColour(params.shDegree, coefs, dir);

  return {
    index: i,
    camPoint,
    mean2d: [u, v],
    depth: z,
    cov2d: [a, b, c],
    conic,
    radius,
    tiles,
    opacity,
    baseOpacity,
    filterCoef,
    filterVar,
    compensation: comp,
    rgb: colour.rgb,
    rawRgb: colour.raw,
    dir,
    viewVec,
    cov3d,
    covCam,
    jac,
    clampedX: rx < limXn || rx > limXp,
    clampedY: ry < limYn || ry > limYp,
  };
}

/** Gradients arriving at one projected splat from the rasterizer. */
export interface ProjectedGrad {
  mean2d: [number, number];
  /** dL/d(A, B, C) of the conic as stored (B appears twice in the quadratic form). */
  conic: [number, number, number];
  rgb: [number, number, number];
  /** dL/d σ(o). */
  opacity: number;
}

/** Per-splat parameter gradients produced by {@link projectSplatBackward}. */
export interface SplatParamGrad {
  mean: Vec3;
  logScale: Vec3;
  quat: [number, number, number, number];
  opacityLogit: number;
  /** K×3 coefficient-major. */
  sh: Float64Array;
}

/**
 * Exact backward of {@link projectSplat} for a visible splat, in the reverse order of the
 * forward pass.
 * long: kept in one piece for the same reason (it mirrors project_backward.wgsl).
 */
export function projectSplatBackward(
  params: AnyParams,
  camera: Camera,
  ps: ProjectedSplat,
  grad: ProjectedGrad,
): SplatParamGrad {
  const i = ps.index;
  const { r: view } = splitViewmat(camera.viewmat);
  const { fx, fy } = camera;
  const [x, y, z] = ps.camPoint;
  const K = shCoeffCount(params.maxShDegree);

  // Colour: SH coefficients and the view direction.
  const coefs = params.sh.subarray(i * K * 3, (i + 1) * K * 3);
  const shGrad = evalShColourBackward(params.shDegree, K, coefs, ps.dir, ps.rawRgb, grad.rgb);
  const dMeanFromDir = normalizeBackward(ps.viewVec, shGrad.dDir);

  // Conic → Σ': dΣ' = −Σ'^{-1} G Σ'^{-1}, with G the symmetric-matrix form of the conic gradient.
  const [A, B, C] = ps.conic;
  const g = [grad.conic[0], grad.conic[1] / 2, grad.conic[2]] as const; // [[g0, g1], [g1, g2]]
  // P = Conic·G, then dS = −P·Conic (all symmetric 2×2).
  const p00 = A * g[0] + B * g[1];
  const p01 = A * g[1] + B * g[2];
  const p10 = B * g[0] + C * g[1];
  const p11 = B * g[1] + C * g[2];
  let dS00 = -(p00 * A + p01 * B);
  let dS01 = -(p00 * B + p01 * C);
  let dS11 = -(p10 * B + p11 * C);
  // The 2D filter's compensation depends on Σ' too (dS01 is per off-diagonal entry: half of d/db).
  const opacityAfter2d = ps.baseOpacity * ps.filterCoef;
  if (ps.compensation !== 1) {
    const k = compensation2d(...ps.cov2d, RASTER.lowPass);
    const dRho = grad.opacity * opacityAfter2d;
    dS00 += dRho * k.da;
    dS01 += (dRho * k.db) / 2;
    dS11 += dRho * k.dc;
  }
  const dS = [dS00, dS01, dS01, dS11]; // row-major 2×2, symmetric

  // Σ' = J Σc Jᵀ: dΣc = Jᵀ dS J; dJ = 2 dS J Σc.
  const J = ps.jac;
  const dCovCam: Mat3 = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let s = 0; s < 3; s++) {
      let acc = 0;
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) acc += J[a * 3 + r]! * dS[a * 2 + b]! * J[b * 3 + s]!;
      }
      dCovCam[r * 3 + s] = acc;
    }
  }
  const dJ = new Array<number>(6).fill(0);
  for (let a = 0; a < 2; a++) {
    for (let col = 0; col < 3; col++) {
      let acc = 0;
      for (let b = 0; b < 2; b++) {
        for (let k = 0; k < 3; k++) acc += dS[a * 2 + b]! * J[b * 3 + k]! * ps.covCam[k * 3 + col]!;
      }
      dJ[a * 3 + col] = 2 * acc;
    }
  }

  // J entries as functions of the camera point (x, y, z), following the clamp exactly.
  const z2 = z * z;
  const z3 = z2 * z;
  const tx = ps.clampedX ? (-J[2]! * z2) / fx : x;
  const ty = ps.clampedY ? (-J[5]! * z2) / fy : y;
  const dCam: Vec3 = [0, 0, 0];
  dCam[2] += (-fx / z2) * dJ[0]! + (-fy / z2) * dJ[4]!;
  if (ps.clampedX) dCam[2] += ((fx * tx) / z3) * dJ[2]!;
  else {
    dCam[0] += (-fx / z2) * dJ[2]!;
    dCam[2] += ((2 * fx * tx) / z3) * dJ[2]!;
  }
  if (ps.clampedY) dCam[2] += ((fy * ty) / z3) * dJ[5]!;
  else {
    dCam[1] += (-fy / z2) * dJ[5]!;
    dCam[2] += ((2 * fy * ty) / z3) * dJ[5]!;
  }
  // 2D mean: u = fx x/z + cx, v = fy y/z + cy.
  const [du, dv] = grad.mean2d;
  dCam[0] += (fx / z) * du;
  dCam[1] += (fy / z) * dv;
  dCam[2] += ((-fx * x) / z2) * du + ((-fy * y) / z2) * dv;

  // Camera point → world mean; plus the SH direction path.
  const dMeanCam = mulVec3(transpose3(view), dCam);
  const mean: Vec3 = [
    dMeanCam[0] + dMeanFromDir[0]!,
    dMeanCam[1] + dMeanFromDir[1]!,
    dMeanCam[2] + dMeanFromDir[2]!,
  ];

  // Σc = W Σ Wᵀ → dΣ = Wᵀ dΣc W; Σ = M Mᵀ with M = R S → dM = 2 dΣ M (dΣ symmetric).
  const dCov3d = mul3(mul3(transpose3(view), dCovCam), view);
  const { q, qhat, s, raw, rot } = splatShape(params, i, ps.filterVar);
  const M = mul3(rot, [s[0], 0, 0, 0, s[1], 0, 0, 0, s[2]]);
  const dM = mul3(dCov3d, M).map((v) => 2 * v);
  const logScale: Vec3 = [0, 0, 0];
  const dR: Mat3 = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let col = 0; col < 3; col++) {
      // d s'/d log s = s²/s' (s' = s without the filter).
      const dsdl = (raw[col] * raw[col]) / s[col];
      logScale[col] += dM[r * 3 + col]! * rot[r * 3 + col]! * dsdl;
      dR[r * 3 + col] = dM[r * 3 + col]! * s[col]!;
    }
  }
  // The 3D filter's opacity factor Π s/s': d log(factor)/d log s = f / s'².
  if (ps.filterVar > 0) {
    const dLogFactor = grad.opacity * ps.opacity;
    for (let k = 0; k < 3; k++) logScale[k] += (dLogFactor * ps.filterVar) / (s[k] * s[k]);
  }
  const dQhat = quatToMatBackward(...qhat, dR);
  const quatGrad = normalizeBackward(q, dQhat) as [number, number, number, number];

  const op = ps.baseOpacity;
  return {
    mean,
    logScale,
    quat: quatGrad,
    opacityLogit: grad.opacity * ps.filterCoef * ps.compensation * op * (1 - op),
    sh: shGrad.dCoefs,
  };
}
