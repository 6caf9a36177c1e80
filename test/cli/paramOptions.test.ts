import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { STAGE_PARAMS, paramInfo } from "../../src/contracts/params.js";
import { paramOption, paramOptions } from "../../src/cli/paramOptions.js";

/** Every parameter whose schema is a fixed set of values, with those values. */
function choiceParams(): Array<[string, z.ZodObject, string[]]> {
  const out: Array<[string, z.ZodObject, string[]]> = [];
  for (const schema of Object.values(STAGE_PARAMS)) {
    for (const [key, field] of Object.entries(schema.shape)) {
      let t: any = field;
      while (t.def.type === "default" || t.def.type === "optional") t = t.def.innerType;
      if (t.def.type === "literal" || t.def.type === "enum") {
        out.push([key, schema, t.def.type === "literal" ? t.def.values : t.options]);
      }
    }
  }
  return out;
}

function parser(schema: z.ZodObject): Command {
  const cmd = new Command("x").exitOverride().configureOutput({ writeErr: () => {} });
  for (const [, option] of paramOptions(schema)) cmd.addOption(option);
  return cmd;
}

describe("flags generated from the parameter schemas", () => {
  it("offer every choice parameter's values and refuse any other, naming the choices", () => {
    const params = choiceParams();
    // matcher (ColmapReconstruction) and Training's appearance, antiAliasing, … at least.
    expect(params.length).toBeGreaterThanOrEqual(5);
    for (const [key, schema, values] of params) {
      const flag = paramInfo.get(schema.shape[key]!)!.flag.split(" ")[0]!;
      for (const value of values) {
        const cmd = parser(schema).parse([flag, value], { from: "user" });
        expect(cmd.opts()[paramOption(key, schema.shape[key]!).attributeName()], key).toBe(value);
      }
      expect(() => parser(schema).parse([flag, "not-a-choice"], { from: "user" }), key).toThrow(
        new RegExp(`Allowed choices are ${values.join(", ")}`),
      );
    }
  });

  it("refuse a schema kind they have no command-line form for", () => {
    const field = z.enum(["a", "b"]).default("a");
    paramInfo.add(field, { flag: "--kind <k>", description: "a test parameter" });
    expect(() => paramOption("kind", field)).toThrow(
      /no command-line form for a schema of type enum/,
    );
  });
});
