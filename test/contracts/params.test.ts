// The per-stage parameter schemas: every parameter has a CLI flag, names are unique across
// stages, defaults are filled in, unknown keys are rejected.
import { describe, expect, it } from "vitest";
import {
  STAGE_PARAMS,
  TrainingParamsSchema,
  paramInfo,
  stageOfParam,
  type FrameExtractionParams,
  type TrainingParams,
} from "../../src/contracts/params.js";

describe("stage parameter schemas", () => {
  it("every parameter has one owner stage and a CLI flag of its own", () => {
    const flags = new Set<string>();
    const keys = new Set<string>();
    for (const [stage, schema] of Object.entries(STAGE_PARAMS)) {
      for (const [key, field] of Object.entries(schema.shape)) {
        expect(keys.has(key), `${key} declared twice`).toBe(false);
        keys.add(key);
        expect(stageOfParam(key)).toBe(stage);
        const info = paramInfo.get(field);
        expect(info, `${stage}.${key} has no CLI flag`).toBeDefined();
        const long = info!.flag.split(" ")[0]!;
        expect(flags.has(long), `${long} used twice`).toBe(false);
        flags.add(long);
      }
    }
    expect(stageOfParam("step")).toBeUndefined();
  });

  it("fill in defaults, keep given values, reject unknown keys and bad values", () => {
    expect(STAGE_PARAMS.FrameExtraction.parse({ framesPerVideo: 12 })).toEqual({
      framesPerVideo: 12,
      maxLongSide: 1600,
      sharpest: false,
      photoFilter: false,
    });
    expect(STAGE_PARAMS.ColmapReconstruction.parse({})).toEqual({
      matcher: "auto",
      minRegisteredFraction: 0.95,
      sfmAttempts: 6,
    });
    expect(() => TrainingParamsSchema.parse({ step: 100 })).toThrow(/step/);
    expect(() => TrainingParamsSchema.parse({ steps: 0 })).toThrow();
    expect(() => STAGE_PARAMS.FrameExtraction.parse({ framesPerVideo: 2.5 })).toThrow();
    expect(() => STAGE_PARAMS.Validation.parse({ anything: 1 })).toThrow();
  });

  it("a misspelt key is a type error (excess property check)", () => {
    // @ts-expect-error: "step" is not a Training parameter
    const bad: TrainingParams = { step: 100 };
    // @ts-expect-error: "steps" belongs to Training, not FrameExtraction
    const wrongStage: FrameExtractionParams = { steps: 100 };
    const good: TrainingParams = { steps: 100, maxResolution: 64 };
    expect([bad, wrongStage, good]).toHaveLength(3);
  });
});
