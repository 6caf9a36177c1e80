// Test inputs with GoPro telemetry: GPMF payloads (KLV) written here, and an MP4 box writer that
// adds them to an ffmpeg-made MP4 as a timed-metadata track with sample entry `gpmd` (ffmpeg 5.1
// cannot mux one). The result is read back by ffprobe, an outside reader, in the tests.
import { readFile, writeFile } from "node:fs/promises";

/** One KLV item: data of `type` (a GPMF type character, or 0 for nested items). */
export function klv(key: string, type: string | 0, size: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(key, 0, "latin1");
  header[4] = type === 0 ? 0 : type.charCodeAt(0);
  header[5] = size;
  header.writeUInt16BE(size === 0 ? 0 : data.length / size, 6);
  const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
  return Buffer.concat([header, data, pad]);
}

const int32s = (values: number[]) => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeInt32BE(Math.round(v), 4 * i));
  return b;
};

/** One GPS sample: latitude, longitude (degrees) and altitude (metres). */
export type Fix = [number, number, number];

/** A payload with a GPS5 stream (fix 3D) of these samples. */
export function gps5Payload(samples: Fix[]): Buffer {
  const scal = [1e7, 1e7, 1000, 1000, 100];
  const rows = samples.flatMap(([lat, lon, alt]) =>
    [lat * 1e7, lon * 1e7, alt * 1000, 2500, 2600].map(Math.round),
  );
  const strm = Buffer.concat([
    klv("STNM", "c", 1, Buffer.from("GPS (Lat., Long., Alt., 2D speed, 3D speed)", "latin1")),
    klv("GPSF", "L", 4, int32s([3])),
    klv("SCAL", "l", 4, int32s(scal)),
    klv("GPS5", "l", 20, int32s(rows)),
  ]);
  return klv(
    "DEVC",
    0,
    1,
    Buffer.concat([klv("DVID", "L", 4, int32s([1]))].concat(klv("STRM", 0, 1, strm))),
  );
}

/** A payload with a GPS9 stream (TYPE lllllllSS) of these samples, each with its own fix. */
export function gps9Payload(samples: { fix: Fix; ok: boolean }[]): Buffer {
  const scal = [1e7, 1e7, 1000, 1000, 100, 1, 1000, 100, 1];
  const rows = samples.map(({ fix: [lat, lon, alt], ok }) => {
    const b = Buffer.alloc(32);
    [lat * 1e7, lon * 1e7, alt * 1000, 2500, 2600, 9266, 37_800_000].forEach((v, i) =>
      b.writeInt32BE(Math.round(v), 4 * i),
    );
    b.writeUInt16BE(120, 28); // DOP 1.2
    b.writeUInt16BE(ok ? 3 : 0, 30);
    return b;
  });
  const strm = Buffer.concat([
    klv("TYPE", "c", 1, Buffer.from("lllllllSS", "latin1")),
    klv("SCAL", "l", 4, int32s(scal)),
    klv("GPS9", "?", 32, Buffer.concat(rows)),
  ]);
  return klv("DEVC", 0, 1, klv("STRM", 0, 1, strm));
}

/** An MP4 box. */
const box = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
};
const u32 = (...v: number[]) => int32s(v.map((x) => (x > 0x7fffffff ? x - 2 ** 32 : x)));
const u16 = (v: number) => Buffer.from([v >> 8, v & 255]);
const full = (version = 0, flags = 0) => u32((version << 24) | flags);

/** The top-level boxes of a file, or the children of a box body. */
function children(buf: Buffer): { type: string; start: number; end: number }[] {
  const out = [];
  for (let at = 0; at + 8 <= buf.length;) {
    const size = buf.readUInt32BE(at);
    if (size < 8) throw new Error(`unsupported box size ${size} at ${at}`);
    out.push({ type: buf.toString("latin1", at + 4, at + 8), start: at, end: at + size });
    at += size;
  }
  return out;
}

/** The gpmd track: one sample per payload, each `durationMs` long, each its own chunk. */
function gpmdTrak(trackId: number, offsets: number[], sizes: number[], durationMs: number): Buffer {
  const n = sizes.length;
  const matrix = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);
  const tkhd = box(
    "tkhd",
    full(0, 1),
    u32(0, 0, trackId, 0, n * durationMs, 0, 0),
    u32(0, 0),
    matrix,
    u32(0, 0),
  );
  const mdhd = box("mdhd", full(), u32(0, 0, 1000, n * durationMs), u16(0x55c4), u16(0));
  const hdlr = box(
    "hdlr",
    full(),
    u32(0),
    Buffer.from("meta", "latin1"),
    u32(0, 0, 0),
    Buffer.from("GoPro MET\0", "latin1"),
  );
  const gpmd = box("gpmd", Buffer.alloc(6), u16(1), u32(0));
  const stbl = box(
    "stbl",
    box("stsd", full(), u32(1), gpmd),
    box("stts", full(), u32(1, n, durationMs)),
    box("stsc", full(), u32(1, 1, 1, 1)),
    box("stsz", full(), u32(0, n, ...sizes)),
    box("stco", full(), u32(n, ...offsets)),
  );
  const dinf = box("dinf", box("dref", full(), u32(1), box("url ", full(0, 1))));
  const minf = box("minf", box("nmhd", full()), dinf, stbl);
  return box("trak", tkhd, box("mdia", mdhd, hdlr, minf));
}

/**
 * Writes `output`: the MP4 `input` (moov last, as ffmpeg writes it without faststart) with a
 * `gpmd` track of `payloads`, one per `durationMs` from time 0, in a second mdat.
 */
export async function addGpmdTrack(
  input: string,
  output: string,
  payloads: Buffer[],
  durationMs: number,
): Promise<void> {
  const file = await readFile(input);
  const top = children(file);
  const moov = top.at(-1)!;
  if (moov.type !== "moov") throw new Error(`${input}: moov is not the last box`);
  const head = file.subarray(0, moov.start);
  const mdat = box("mdat", ...payloads);
  const offsets: number[] = [];
  let at = head.length + 8;
  for (const p of payloads) {
    offsets.push(at);
    at += p.length;
  }
  const moovBody = Buffer.from(file.subarray(moov.start + 8, moov.end));
  const kids = children(moovBody);
  const mvhd = kids.find((k) => k.type === "mvhd")!;
  const nextTrack = moovBody.readUInt32BE(mvhd.end - 4);
  moovBody.writeUInt32BE(nextTrack + 1, mvhd.end - 4);
  const trak = gpmdTrak(
    nextTrack,
    offsets,
    payloads.map((p) => p.length),
    durationMs,
  );
  await writeFile(output, Buffer.concat([head, mdat, box("moov", moovBody, trak)]));
}
