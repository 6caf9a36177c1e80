/**
 * Sensor widths (mm, along the long side) of common drone cameras whose EXIF carries the lens
 * focal length in mm but no focal-plane resolution: with the photo's width in pixels they give
 * the focal length in pixels. Keyed by EXIF make and model, case-insensitively. Sizes from the
 * makers' specifications: 1" sensors are 13.2 mm wide, 1/2.3" 6.17 mm, 4/3" 17.3 mm.
 */
const SENSOR_WIDTH_MM: Record<string, number> = {
  "dji fc6310": 13.2, // Phantom 4 Pro / Advanced (1")
  "dji fc6310s": 13.2, // Phantom 4 Pro V2.0 (1")
  "dji fc6310r": 13.2, // Phantom 4 RTK (1")
  "dji fc330": 6.17, // Phantom 4 (1/2.3")
  "dji fc300x": 6.17, // Phantom 3 Professional (1/2.3")
  "dji fc300s": 6.17, // Phantom 3 Advanced (1/2.3")
  "dji fc220": 6.17, // Mavic Pro (1/2.3")
  "dji fc2103": 6.17, // Mavic Air (1/2.3")
  "dji fc7203": 6.17, // Mavic Mini (1/2.3")
  "dji fc7303": 6.17, // Mini 2 (1/2.3")
  "dji l1d-20c": 13.2, // Mavic 2 Pro, Hasselblad (1")
  "dji fc3411": 13.2, // Air 2S (1")
  "dji l2d-20c": 17.3, // Mavic 3, Hasselblad (4/3")
  "dji fc6540": 23.5, // Zenmuse X7 (APS-C)
};

/** The sensor width of a camera in the table, or null. */
export function tableSensorWidth(make: string | null, model: string | null): number | null {
  if (!model) return null;
  const m = model.trim().toLowerCase();
  const key =
    make && !m.startsWith(make.trim().toLowerCase()) ? `${make.trim().toLowerCase()} ${m}` : m;
  return SENSOR_WIDTH_MM[key] ?? null;
}
