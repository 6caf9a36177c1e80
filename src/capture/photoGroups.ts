/**
 * Camera groups of photos: photos of one make, model, written size and focal length share one
 * COLMAP camera, whose focal-length prior comes from EXIF: the lens focal length on a known
 * sensor width (focal-plane resolution, else the sensor table), else the 35 mm equivalent, else
 * the default field of view.
 */
import type { CameraGroup, Intrinsics, ManifestPhoto } from "../contracts/manifest.js";
import type { ExtractedPhoto } from "./extractPhotos.js";
import { intrinsicsPrior } from "./intrinsicsPrior.js";
import type { PhotoMetadata } from "./photoMetadata.js";

/** "Make Model" without the make repeated ("Canon Canon EOS 2000D" → "Canon EOS 2000D"). */
export function cameraName(make: string | null, model: string | null): string | null {
  if (make && model)
    return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
  return model ?? make ?? null;
}

/**
 * The prior of photos written at `width`×`height` from a picture whose EXIF is `m`. The lens on a
 * known sensor is exact up to the maker's rounding; the 35 mm equivalent is often rounded to a
 * whole millimetre (up to ~2 %), so it comes second.
 */
export function photoPrior(
  m: PhotoMetadata | undefined,
  width: number,
  height: number,
  defaultFovDeg: number,
): Intrinsics {
  const focal = m?.focal_length_mm ?? null;
  const sensor = m?.sensor_width_mm ?? null;
  if (m && focal && focal > 0 && sensor) {
    // Sensor width spans the stored width; the written picture is that, turned and scaled.
    const scale = Math.max(width, height) / Math.max(m.display_width, m.display_height);
    const f = (focal / sensor) * m.width * scale;
    const via =
      m.sensor_width_source === "sensor_table" ? "sensor table" : "focal-plane resolution";
    return {
      ...intrinsicsPrior(width, height, null, defaultFovDeg),
      ...{ fx: f, fy: f, source: "metadata" },
      horizontal_fov_deg: (2 * Math.atan(width / 2 / f) * 180) / Math.PI,
      prior: `${focal} mm lens on a ${sensor.toFixed(2)} mm-wide sensor (${via})`,
    };
  }
  const f35 = m?.focal_length_35mm ?? null;
  const k = intrinsicsPrior(width, height, f35, defaultFovDeg);
  return {
    ...k,
    prior:
      k.source === "metadata"
        ? `35 mm equivalent ${f35} mm (EXIF)`
        : `default field of view ${defaultFovDeg}° (no focal length in EXIF)`,
  };
}

/** Groups the written photos by camera; returns the groups and the manifest's photo entries. */
export function groupPhotos(
  photos: readonly ExtractedPhoto[],
  metadata: readonly PhotoMetadata[],
  defaultFovDeg: number,
): { groups: CameraGroup[]; entries: ManifestPhoto[] } {
  const byName = new Map(metadata.map((m) => [m.filename, m]));
  const groups: CameraGroup[] = [];
  const keys = new Map<string, CameraGroup>();
  const entries = photos.map((p): ManifestPhoto => {
    const m = byName.get(p.filename);
    const name = cameraName(m?.make ?? null, m?.model ?? null);
    const key = JSON.stringify([name, p.width, p.height, m?.focal_length_mm ?? null]);
    let group = keys.get(key);
    if (!group) {
      group = {
        id: `photos-${groups.length + 1}`,
        kind: "photos",
        camera_model: name,
        image_count: 0,
        intrinsics: photoPrior(m, p.width, p.height, defaultFovDeg),
      };
      keys.set(key, group);
      groups.push(group);
    }
    group.image_count++;
    return {
      ...{ path: p.path, source: p.filename, timestamp: m?.capture_time ?? null },
      ...{ gps: m?.gps ?? null, camera_group: group.id },
      resolution: { width: p.width, height: p.height },
    };
  });
  return { groups, entries };
}
