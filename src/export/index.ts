/**
 * Exporters and readers of trained splats: PLY (INRIA layout), SPLAT (antimatter15) and SPZ
 * (Niantic), plus the PlyExport and SplatExport pipeline stages.
 */
export { encodePly, decodePly, writePly, readPly, plyPropertyNames } from "./ply.js";
export {
  encodeSplat,
  decodeSplat,
  writeSplat,
  readSplat,
  splatSortOrder,
  SPLAT_RECORD_BYTES,
} from "./splat.js";
export { validateParams } from "./params.js";
export { plyExportStage } from "./plyExport.stage.js";
export { splatExportStage } from "./splatExport.stage.js";
export { encodeSpz, decodeSpz, writeSpz, readSpz } from "./spz.js";
export { convertModel, readModel, writeModel, sniffFormat, MODEL_FORMATS } from "./convert.js";
export type { ModelFormat } from "./convert.js";
export {
  exportRecord,
  georefComments,
  writeGeorefSidecar,
  findGeorefSidecar,
  readGeorefSidecar,
  carryGeorefSidecar,
  GEOREF_COMMENT,
} from "./georefSidecar.js";
export { plyComments } from "./ply.js";
