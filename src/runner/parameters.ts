import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { SplatbookError } from "../util/errors.js";

/** A parameter value: what JSON/YAML can hold. */
export type ParameterValue =
  null | boolean | number | string | ParameterValue[] | { [key: string]: ParameterValue };

/** Parameter name → value, in the order given. */
export type Parameters = Record<string, ParameterValue>;

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(inf|infinity|nan)$/i;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Types a `-p NAME VALUE` string like papermill does: ints, floats, True/False/true/false,
 * None/null; everything else stays a string.
 */
export function parseParameterValue(text: string): ParameterValue {
  if (text === "True" || text === "true") return true;
  if (text === "False" || text === "false") return false;
  if (text === "None" || text === "null") return null;
  if (INT.test(text) || FLOAT.test(text) || NON_FINITE.test(text))
    return Number(text.replace(/inf(inity)?$/i, "Infinity"));
  return text;
}

/** Checks a parameter name is a valid identifier in both TypeScript and Python. */
export function checkParameterName(name: string): void {
  if (!IDENTIFIER.test(name) || name.includes("$")) {
    throw new SplatbookError(`parameter name "${name}" is not a valid identifier`);
  }
}

/**
 * Reads `-y`: a YAML file path if such a file exists, otherwise YAML text. It must be a mapping.
 */
export function parseYamlParameters(fileOrText: string): Parameters {
  const isFile = existsSync(fileOrText);
  const source = isFile ? readFileSync(fileOrText, "utf8") : fileOrText;
  const where = isFile ? fileOrText : "-y YAML";
  let value: unknown;
  try {
    value = parseYaml(source);
  } catch (err) {
    throw new SplatbookError(
      `${where}: not valid YAML (${(err as Error).message.split("\n")[0]})`,
      {
        file: isFile ? fileOrText : undefined,
      },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SplatbookError(`${where}: parameters must be a YAML mapping of name: value`);
  }
  for (const name of Object.keys(value)) checkParameterName(name);
  return value as Parameters;
}

function tsNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return Object.is(v, -0) ? "-0" : String(v);
}

/** A TypeScript literal for a value (strings JSON-escaped; objects/arrays as JSON). */
export function typescriptLiteral(v: ParameterValue): string {
  if (typeof v === "number") return tsNumber(v);
  return JSON.stringify(v);
}

/** A Python literal for a value (True/False/None, dicts and lists recursively). */
export function pythonLiteral(v: ParameterValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return 'float("nan")';
    if (!Number.isFinite(v)) return v > 0 ? 'float("inf")' : 'float("-inf")';
    return String(v);
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(", ")}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}: ${pythonLiteral(x)}`)
    .join(", ")}}`;
}

/**
 * Type annotations declared in a TypeScript `parameters` cell (`let steps: number = 3000;`), so
 * the injected declaration keeps the author's type (`let input: string | null = null;`).
 */
export function declaredTypes(parametersSource: string): Map<string, string> {
  const types = new Map<string, string>();
  const decl = /^\s*(?:export\s+)?(?:let|const|var)\s+([A-Za-z_$][\w$]*)\s*:\s*([^=;]+?)\s*=/gm;
  for (const m of parametersSource.matchAll(decl)) types.set(m[1]!, m[2]!);
  return types;
}

/**
 * The injected-parameters cell for a TypeScript kernel. Each value is a `let` declaration:
 * the splatbook/tslab kernel lets a later cell redeclare a name from an earlier cell (the newest
 * declaration wins), and `let` widens literal types (`let mode = "fast"` is a string, where a
 * `const` would be the literal "fast" and break `mode === "slow"` in later cells).
 */
export function typescriptParameterCell(params: Parameters, parametersSource = ""): string {
  const types = declaredTypes(parametersSource);
  const lines = ["// Parameters"];
  for (const [name, value] of Object.entries(params)) {
    checkParameterName(name);
    const type = types.get(name);
    lines.push(`let ${name}${type ? `: ${type}` : ""} = ${typescriptLiteral(value)};`);
  }
  return lines.join("\n") + "\n";
}

/** The injected-parameters cell for a Python kernel (papermill's format). */
export function pythonParameterCell(params: Parameters): string {
  const lines = ["# Parameters"];
  for (const [name, value] of Object.entries(params)) {
    checkParameterName(name);
    lines.push(`${name} = ${pythonLiteral(value)}`);
  }
  return lines.join("\n") + "\n";
}

/** Picks the code generator by kernel language; undefined for a language we cannot write. */
export function parameterCellFor(
  language: string,
  params: Parameters,
  parametersSource = "",
): string | undefined {
  const lang = language.toLowerCase();
  if (lang === "typescript" || lang === "javascript") {
    return typescriptParameterCell(params, parametersSource);
  }
  if (lang === "python") return pythonParameterCell(params);
  return undefined;
}
