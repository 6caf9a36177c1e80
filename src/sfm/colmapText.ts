import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { cameraModelByName, sceneCamera } from "./cameraModels.js";
import type { RawColmapModel, RawImage } from "./colmapBinary.js";
import {
  allocatePoints,
  growableU32,
  viewmatFromQuaternion,
  type SceneCamera,
} from "./sceneModel.js";

async function readLines(dir: string, name: string): Promise<{ file: string; lines: string[] }> {
  const file = join(dir, name);
  try {
    return { file, lines: (await readFile(file, "utf8")).split(/\r?\n/) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SplatbookError(`${file}: cannot read (${code})`, { file });
  }
}

function bad(file: string, line: number, what: string): SplatbookError {
  return new SplatbookError(`${file}:${line}: ${what}`, { file });
}

/** Parses a number token, naming the file and line when it is not one. */
function num(token: string | undefined, file: string, line: number): number {
  const v = Number(token);
  if (token === undefined || token === "" || !Number.isFinite(v)) {
    throw bad(file, line, `expected a number, found ${JSON.stringify(token ?? "")}`);
  }
  return v;
}

const isData = (l: string) => l.trim() !== "" && !l.startsWith("#");

/** cameras.txt: `CAMERA_ID MODEL WIDTH HEIGHT PARAMS[]` per line. */
export async function readCamerasTxt(dir: string): Promise<Map<number, SceneCamera>> {
  const { file, lines } = await readLines(dir, "cameras.txt");
  const cameras = new Map<number, SceneCamera>();
  lines.forEach((l, i) => {
    if (!isData(l)) return;
    const t = l.trim().split(/\s+/);
    const model = cameraModelByName(t[1] ?? "", file);
    if (t.length !== 4 + model.numParams) {
      throw bad(file, i + 1, `${model.name} needs ${model.numParams} parameters`);
    }
    const params = t.slice(4).map((p) => num(p, file, i + 1));
    const id = num(t[0], file, i + 1);
    const [width, height] = [num(t[2], file, i + 1), num(t[3], file, i + 1)];
    cameras.set(id, sceneCamera(id, model.name, width, height, params));
  });
  return cameras;
}

/**
 * images.txt: two lines per image — `IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME`, then the
 * 2D points (possibly empty), which we skip. A name may contain spaces.
 */
export async function readImagesTxt(dir: string): Promise<RawImage[]> {
  const { file, lines } = await readLines(dir, "images.txt");
  const images: RawImage[] = [];
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith("#")) i++;
  for (; i < lines.length; i += 2) {
    const l = lines[i]!;
    if (l.startsWith("#")) {
      i--; // a comment between records: realign on the next line
      continue;
    }
    if (l.trim() === "") {
      if (lines.slice(i).some(isData)) throw bad(file, i + 1, "expected an image line");
      break;
    }
    const t = l.trim().split(/\s+/);
    if (t.length < 10)
      throw bad(file, i + 1, "expected IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME");
    const v = t.slice(0, 9).map((x) => num(x, file, i + 1));
    const name = l.trim().replace(/^(\S+\s+){9}/, "");
    images.push({
      id: v[0]!,
      cameraId: v[8]!,
      name,
      viewmat: viewmatFromQuaternion(v.slice(1, 5), v.slice(5, 8)),
    });
  }
  return images;
}

/** points3D.txt: `POINT3D_ID X Y Z R G B ERROR TRACK[] as (IMAGE_ID, POINT2D_IDX)` per line. */
export async function readPoints3DTxt(dir: string): Promise<ReturnType<typeof allocatePoints>> {
  const { file, lines } = await readLines(dir, "points3D.txt");
  const data = lines.map((l, n) => ({ l, n })).filter(({ l }) => isData(l));
  const pts = allocatePoints(data.length);
  const observers = growableU32();
  data.forEach(({ l, n }, i) => {
    const t = l.trim().split(/\s+/);
    if (t.length < 8 || (t.length - 8) % 2 !== 0) {
      throw bad(
        file,
        n + 1,
        "expected POINT3D_ID X Y Z R G B ERROR and (IMAGE_ID, POINT2D_IDX) pairs",
      );
    }
    pts.ids[i] = num(t[0], file, n + 1);
    for (let k = 0; k < 3; k++) {
      pts.xyz[i * 3 + k] = num(t[1 + k], file, n + 1);
      pts.rgb[i * 3 + k] = num(t[4 + k], file, n + 1);
    }
    pts.error[i] = num(t[7], file, n + 1);
    pts.trackLength[i] = (t.length - 8) / 2;
    for (let k = 8; k < t.length; k += 2) observers.push(num(t[k], file, n + 1));
  });
  return { ...pts, trackImageIds: observers.done() };
}

/** Reads cameras.txt, images.txt and points3D.txt from a model folder. */
export async function readColmapText(dir: string): Promise<RawColmapModel> {
  const [cameras, images, points] = await Promise.all([
    readCamerasTxt(dir),
    readImagesTxt(dir),
    readPoints3DTxt(dir),
  ]);
  return { cameras, images, points };
}
