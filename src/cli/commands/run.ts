import { existsSync } from "node:fs";
import { Command } from "commander";
import { SplatbookError } from "../../util/errors.js";
import { describeFailure, runNotebook, type RunNotebookOptions } from "../../runner/runNotebook.js";
import {
  checkParameterName,
  parseParameterValue,
  parseYamlParameters,
  type Parameters,
} from "../../runner/parameters.js";

const RUN_HELP = `
Run options:
  -p, --parameters NAME VALUE  set a parameter (typed like papermill: ints, floats,
                               True/False/true/false, None/null, else a string); repeatable
  -r, --parameters-raw NAME VALUE
                               set a parameter to VALUE as a string, untyped
  -y, --parameters-yaml YAML   parameters from a YAML file, or YAML text (mapping)
  -f, --parameters-file FILE   parameters from a YAML (or JSON) file
  --cwd DIR                    working directory of the kernel (default: current)
  -k, --kernel NAME            kernelspec to use instead of the notebook's
  --execution-timeout S        per-cell limit; the kernel is interrupted and the cell fails
  --start-timeout S            seconds to wait for the kernel to start (default 60)
  --log-output                 copy cell output to stderr
  --progress-bar / --no-progress-bar
  --prepare-only               inject parameters and write the output without executing

The output notebook defaults to <input>.out.ipynb. Exit code 1 when a cell fails.`;

function positiveSeconds(flag: string, text: string | undefined): number {
  const v = Number(text);
  if (text === undefined || !Number.isFinite(v) || v <= 0) {
    throw new SplatbookError(`${flag} needs a positive number of seconds, got "${text ?? ""}"`);
  }
  return v;
}

/**
 * Parses `run` arguments by hand: `-p NAME VALUE` takes two values, which commander cannot
 * express, and the order of -p/-y decides which value wins (later ones override earlier ones).
 */
export function parseRunArgs(args: string[]): RunNotebookOptions {
  const positionals: string[] = [];
  const parameters: Parameters = {};
  const options: RunNotebookOptions = { input: "" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new SplatbookError(`${arg} needs a value`);
      return v;
    };
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    const value = () => (inline !== undefined ? inline : next());
    switch (flag) {
      case "-p":
      case "--parameters": {
        const name = next();
        checkParameterName(name);
        parameters[name] = parseParameterValue(next());
        break;
      }
      case "-r":
      case "--parameters-raw": {
        const name = next();
        checkParameterName(name);
        parameters[name] = next();
        break;
      }
      case "-f":
      case "--parameters-file": {
        const file = value();
        if (!existsSync(file))
          throw new SplatbookError(`${file}: parameters file not found`, { file });
        Object.assign(parameters, parseYamlParameters(file));
        break;
      }
      case "-y":
      case "--parameters-yaml":
        Object.assign(parameters, parseYamlParameters(value()));
        break;
      case "--cwd":
        options.cwd = value();
        break;
      case "-k":
      case "--kernel":
        options.kernelName = value();
        break;
      case "--execution-timeout":
        options.executionTimeoutS = positiveSeconds(flag, value());
        break;
      case "--start-timeout":
        options.startTimeoutS = positiveSeconds(flag, value());
        break;
      case "--log-output":
        options.logOutput = true;
        break;
      case "--prepare-only":
        options.prepareOnly = true;
        break;
      case "--progress-bar":
        options.progress = "bar";
        break;
      case "--no-progress-bar":
        options.progress = "lines";
        break;
      default:
        if (arg.startsWith("-") && arg !== "-") throw new SplatbookError(`unknown option ${arg}`);
        positionals.push(arg);
    }
  }
  if (positionals.length < 1 || positionals.length > 2) {
    throw new SplatbookError("usage: splatbook run <in.ipynb> [out.ipynb] [-p NAME VALUE]...");
  }
  options.input = positionals[0]!;
  options.output = positionals[1];
  options.parameters = parameters;
  return options;
}

/**
 * Runs `splatbook run` with its raw arguments; returns the exit code (0 ok, 1 a cell failed,
 * 130 interrupted). SplatbookErrors from bad input propagate for main's one-line handler.
 */
export async function executeRunCommand(args: string[]): Promise<number> {
  const options = parseRunArgs(args);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await runNotebook({ ...options, signal: controller.signal });
    if (result.status === "failed") {
      process.stderr.write(`splatbook run: ${describeFailure(result)}\n`);
      return controller.signal.aborted ? 130 : 1;
    }
    if (result.status === "prepared") {
      process.stderr.write(`prepared ${result.outputPath} (not executed)\n`);
    } else {
      process.stderr.write(`wrote ${result.outputPath} in ${result.durationS.toFixed(1)} s\n`);
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** `splatbook run <in.ipynb> [out.ipynb] [-p NAME VALUE]...`: the headless notebook runner. */
export function runCommand(): Command {
  return new Command("run")
    .description("execute a notebook headless, papermill-style, writing the output as it goes")
    .usage("<in.ipynb> [out.ipynb] [-p NAME VALUE]... [options]")
    .argument("[args...]")
    .helpOption("-h, --help", "show this help")
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText("after", RUN_HELP)
    .action(async (_args: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = await executeRunCommand(cmd.args);
    });
}
