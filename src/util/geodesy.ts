/**
 * WGS84 geodesy: geodetic latitude/longitude/height ↔ Earth-centred Earth-fixed (ECEF) metres ↔
 * a local east-north-up (ENU) tangent plane at an origin. Used to place rendered cameras on the
 * Earth (the corpus writes their GPS) and to bring GPS positions into metres.
 */

/** A geodetic position: degrees, and metres above the ellipsoid (or as the source gives it). */
export interface GeoPoint {
  latitude: number;
  longitude: number;
  altitude: number;
}

/** WGS84 semi-major axis (m) and flattening. */
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);

const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Geodetic → ECEF metres. */
export function geodeticToEcef(p: GeoPoint): [number, number, number] {
  const [lat, lon] = [rad(p.latitude), rad(p.longitude)];
  const n = A / Math.sqrt(1 - E2 * Math.sin(lat) ** 2);
  return [
    (n + p.altitude) * Math.cos(lat) * Math.cos(lon),
    (n + p.altitude) * Math.cos(lat) * Math.sin(lon),
    (n * (1 - E2) + p.altitude) * Math.sin(lat),
  ];
}

/** ECEF metres → geodetic (iterated to well under a micrometre). */
export function ecefToGeodetic([x, y, z]: readonly number[]): GeoPoint {
  const lon = Math.atan2(y!, x!);
  const p = Math.hypot(x!, y!);
  let lat = Math.atan2(z!, p * (1 - E2));
  let h = 0;
  for (let i = 0; i < 8; i++) {
    const n = A / Math.sqrt(1 - E2 * Math.sin(lat) ** 2);
    h = p / Math.cos(lat) - n;
    lat = Math.atan2(z!, p * (1 - (E2 * n) / (n + h)));
  }
  return { latitude: deg(lat), longitude: deg(lon), altitude: h };
}

/** Rows of the rotation taking ECEF offsets to east, north, up at `origin`. */
function enuBasis(origin: GeoPoint): number[][] {
  const [lat, lon] = [rad(origin.latitude), rad(origin.longitude)];
  const [sl, cl, sp, cp] = [Math.sin(lon), Math.cos(lon), Math.sin(lat), Math.cos(lat)];
  return [
    [-sl, cl, 0],
    [-sp * cl, -sp * sl, cp],
    [cp * cl, cp * sl, sp],
  ];
}

/** East, north, up metres of `p` in the tangent plane at `origin`. */
export function geodeticToEnu(origin: GeoPoint, p: GeoPoint): [number, number, number] {
  const o = geodeticToEcef(origin);
  const q = geodeticToEcef(p);
  const d = [q[0] - o[0], q[1] - o[1], q[2] - o[2]];
  const b = enuBasis(origin);
  return b.map((row) => row[0]! * d[0]! + row[1]! * d[1]! + row[2]! * d[2]!) as [
    number,
    number,
    number,
  ];
}

/** The geodetic position `enu` metres (east, north, up) from `origin`. */
export function enuToGeodetic(origin: GeoPoint, enu: readonly number[]): GeoPoint {
  const o = geodeticToEcef(origin);
  const b = enuBasis(origin);
  // The basis is orthonormal: its transpose takes ENU back to ECEF offsets.
  const d = [0, 1, 2].map((k) => b[0]![k]! * enu[0]! + b[1]![k]! * enu[1]! + b[2]![k]! * enu[2]!);
  return ecefToGeodetic([o[0] + d[0]!, o[1] + d[1]!, o[2] + d[2]!]);
}

/** A standard normal draw from two uniform draws of `rand` (Box–Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * EPSG code of the WGS84 UTM zone holding a point ("EPSG:326zz" north, "EPSG:327zz" south), with
 * the grid's exceptions around Norway (32V) and Svalbard (31X, 33X, 35X, 37X).
 */
export function utmEpsg(latitude: number, longitude: number): string {
  const lon = ((((longitude + 180) % 360) + 360) % 360) - 180;
  let zone = Math.min(60, Math.floor((lon + 180) / 6) + 1);
  if (latitude >= 56 && latitude < 64 && lon >= 3 && lon < 12) zone = 32;
  if (latitude >= 72 && latitude < 84 && lon >= 0 && lon < 42) {
    zone = lon < 9 ? 31 : lon < 21 ? 33 : lon < 33 ? 35 : 37;
  }
  return `EPSG:${latitude >= 0 ? 326 : 327}${String(zone).padStart(2, "0")}`;
}
