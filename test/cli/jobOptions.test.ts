import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addJobOptions, jobParamsFromFlags, type JobFlags } from "../../src/cli/jobOptions.js";

function parse(args: string[]): JobFlags {
  const cmd = addJobOptions(
    new Command("x").exitOverride().configureOutput({ writeErr: () => {} }),
  );
  cmd.parse(args, { from: "user" });
  return cmd.opts<JobFlags>();
}

describe("job flags", () => {
  it("map to JobParams, leaving unset ones unset so stage defaults apply", () => {
    const flags = parse([
      "--until",
      "colmapreconstruction",
      "--frames-per-video",
      "30",
      "--fps",
      "2.5",
      "--max-long-side",
      "800",
      "--sharpest",
      "--photo-filter",
      "--matcher",
      "sequential",
      "--steps",
      "500",
      "--max-resolution",
      "640",
      "--sh-degree",
      "0",
      "--seed",
      "7",
      "--default-fov",
      "70",
      "--min-registered-fraction",
      "0.9",
      "--max-features",
      "2048",
      "--sfm-attempts",
      "2",
      "--max-checkpoint-age-hours",
      "48",
      "--fresh",
    ]);
    expect(flags.until).toBe("ColmapReconstruction");
    expect(flags.fresh).toBe(true);
    expect(flags.maxCheckpointAgeHours).toBe(48);
    expect(jobParamsFromFlags(flags)).toEqual({
      framesPerVideo: 30,
      fps: 2.5,
      maxLongSide: 800,
      sharpest: true,
      photoFilter: true,
      matcher: "sequential",
      steps: 500,
      maxResolution: 640,
      shDegree: 0,
      seed: 7,
      defaultFovDeg: 70,
      minRegisteredFraction: 0.9,
      maxFeatures: 2048,
      sfmAttempts: 2,
    });
    expect(jobParamsFromFlags(parse([]))).toEqual({});
  });

  it("reject bad values", () => {
    expect(() => parse(["--until", "Nope"])).toThrow(/unknown stage "Nope"/);
    expect(() => parse(["--frames-per-video", "0"])).toThrow(/whole number ≥ 1/);
    expect(() => parse(["--fps", "-1"])).toThrow(/number > 0/);
    expect(() => parse(["--matcher", "fast"])).toThrow(/Allowed choices/);
    expect(() => parse(["--sh-degree", "1.5"])).toThrow(/whole number ≥ 0/);
  });
});
