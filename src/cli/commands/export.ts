import { Command, Option } from "commander";
import { MODEL_FORMATS, convertModel, type ModelFormat } from "../../export/index.js";

/**
 * `splatbook export <model> --format ply|splat|spz [--output PATH]`: converts a trained model
 * (a .ply/.splat/.spz file, or a job output folder holding model.ply). SplatbookErrors from bad
 * input propagate to main's one-line handler.
 */
export function exportCommand(): Command {
  return new Command("export")
    .description("convert a trained model between PLY (INRIA), SPLAT (antimatter15) and SPZ")
    .argument("<model>", "a .ply/.splat/.spz file, or a job output folder with model.ply")
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(MODEL_FORMATS)
        .makeOptionMandatory(),
    )
    .option("-o, --output <path>", "output file (default: the model's name with the new extension)")
    .action(async (model: string, flags: { format: ModelFormat; output?: string }) => {
      const r = await convertModel({ model, format: flags.format, output: flags.output });
      console.log(
        `${r.count} splats (SH degree ${r.shDegree}) → ${r.output}` +
          (r.georef ? ` (georeference: ${r.georef} beside it)` : ""),
      );
    });
}

/** Adds the `export` command to the program. */
export function register(program: Command): void {
  program.addCommand(exportCommand());
}
