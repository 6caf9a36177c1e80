/** is_complete_request: whether a console should submit the code or wait for more lines. */
import type { TsHost } from "./tsHost.js";

/** is_complete_reply content. */
export interface IsCompleteResult {
  status: "complete" | "incomplete" | "invalid";
  indent?: string;
}

/**
 * Classifies code for is_complete: a parse error at the very end that expects more input means
 * "incomplete" (with a suggested indent), any other parse error "invalid". Two trailing blank
 * lines force "complete", so a console can always submit.
 */
export function isCompleteCode(host: TsHost, code: string): IsCompleteResult {
  if (/(^|\n)[ \t]*\n[ \t]*$/.test(code) && code.trim() !== "") return { status: "complete" };
  const ts = host.ts;
  const file = ts.createSourceFile(
    "cell.ts",
    code,
    ts.ScriptTarget.Latest,
    false,
    ts.ScriptKind.TS,
  );
  const diagnostics =
    (file as unknown as { parseDiagnostics?: ParseDiagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: "complete" };
  const atEnd = diagnostics.some(
    (d) =>
      d.start >= code.trimEnd().length &&
      typeof d.messageText === "string" &&
      /expected\.$/.test(d.messageText),
  );
  const unterminated = diagnostics.some(
    (d) =>
      typeof d.messageText === "string" && /^Unterminated template literal/.test(d.messageText),
  );
  if (atEnd || unterminated) return { status: "incomplete", indent: nextIndent(code) };
  return { status: "invalid" };
}

/** A parse diagnostic as the compiler keeps it on a source file (internal field). */
interface ParseDiagnostic {
  start: number;
  length: number;
  messageText: unknown;
}

/** Indent for the next line: the current one's, plus two spaces after an opening bracket. */
function nextIndent(code: string): string {
  const line = /[^\n]*$/.exec(code)?.[0] ?? "";
  const current = /^\s*/.exec(line)?.[0] ?? "";
  return /[{([]\s*$/.test(line) ? current + "  " : current;
}
