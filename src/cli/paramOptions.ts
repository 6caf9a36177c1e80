/**
 * Command-line flags generated from the parameter schemas (src/contracts/params.ts): one flag
 * per parameter, its help line with the schema's range and default, and a parser that checks a
 * value against the same schema. `process`, `demo`, `watch` and `batch` take every stage's flags;
 * `train` takes the Training stage's.
 */
import { InvalidArgumentError, Option } from "commander";
import type { z } from "zod";
import { paramInfo } from "../contracts/params.js";

/** The schema inside `.default()`/`.optional()` wrappers. */
function innerType(schema: z.ZodType): z.ZodType {
  let t: any = schema;
  while (t.def.type === "default" || t.def.type === "optional") t = t.def.innerType;
  return t as z.ZodType;
}

/** "a whole number ≥ 1", "a number > 0 and ≤ 1" and the like, from a zod number's checks. */
function numberRange(schema: z.ZodType): string {
  const checks: any[] = ((schema as any).def.checks ?? []).map((c: any) => c._zod.def);
  const isInt = checks.some((c) => c.check === "number_format" && /int/.test(c.format));
  const parts = [isInt ? "a whole number" : "a number"];
  for (const c of checks) {
    if (c.check === "greater_than") {
      parts.push(c.inclusive ? `≥ ${c.value}` : isInt ? `≥ ${c.value + 1}` : `> ${c.value}`);
    } else if (c.check === "less_than") {
      parts.push(c.inclusive ? `≤ ${c.value}` : isInt ? `≤ ${c.value - 1}` : `< ${c.value}`);
    }
  }
  return parts.length > 1 ? `${parts[0]} ${parts.slice(1).join(" and ")}` : parts[0]!;
}

/** The commander option for one parameter: its flag, help line, and parser or choices. */
export function paramOption(key: string, schema: z.ZodType): Option {
  const info = paramInfo.get(schema);
  if (!info) throw new Error(`parameter ${key} has no CLI flag in src/contracts/params.ts`);
  const fallback = (schema as any).def.defaultValue as unknown;
  const inner = innerType(schema);
  const kind = (inner as any).def.type as string;
  // A kind met here for the first time would otherwise become a free-text flag that the schema
  // rejects only later, without the choices in the help (choices are z.literal([...]), not z.enum).
  if (!["number", "boolean", "string", "literal"].includes(kind)) {
    throw new Error(`parameter ${key}: no command-line form for a schema of type ${kind}`);
  }
  const range = kind === "number" ? numberRange(inner) : null;
  const notes = [
    ...(range ? [range] : []),
    ...(fallback === undefined || fallback === false ? [] : [`default ${String(fallback)}`]),
  ];
  const option = new Option(
    info.flag,
    notes.length ? `${info.description}; ${notes.join(", ")}` : info.description,
  );
  if (kind === "literal") return option.choices((inner as any).def.values as string[]);
  if (kind === "number") {
    return option.argParser((value: string) => {
      const n = value.trim() === "" ? NaN : Number(value);
      if (!inner.safeParse(n).success) throw new InvalidArgumentError(`expected ${range}`);
      return n;
    });
  }
  return option;
}

/** One schema's parameters as [parameter key, commander option], in the schema's order. */
export function paramOptions(schema: z.ZodObject): Array<[string, Option]> {
  return Object.entries(schema.shape).map(([key, field]) => [key, paramOption(key, field)]);
}

/**
 * The parameters among parsed `flags` that the command line names (unset flags stay unset, so
 * the recorded values or the schema's defaults apply).
 */
export function paramsFromFlags(
  options: ReadonlyArray<[string, Option]>,
  flags: { readonly [attribute: string]: unknown },
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, option] of options) {
    const value = flags[option.attributeName()];
    if (value !== undefined) params[key] = value;
  }
  return params;
}
