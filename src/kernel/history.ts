/** In-memory execution history for history_request (tail, range and glob search). */

/** One stored cell input, and its text/plain result if it had one. */
export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

/** history_request content fields this kernel reads. */
export interface HistoryQuery {
  output?: boolean;
  hist_access_type?: string;
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** A history row: [session, line, input] or [session, line, [input, output]]. */
export type HistoryRow = [number, number, string | [string, string | null]];

/** Glob (`*`, `?`, `[...]`) to an anchored regular expression, like SQLite's GLOB. */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith("^") ? "^" + body.slice(1) : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The history of this kernel session (numbered `session`). */
export class History {
  private readonly entries: HistoryEntry[] = [];
  constructor(readonly session = 1) {}

  add(entry: HistoryEntry): void {
    this.entries.push(entry);
  }

  /** Answers a history_request. */
  query(q: HistoryQuery): HistoryRow[] {
    let rows = this.entries;
    switch (q.hist_access_type) {
      case "tail":
        rows = q.n !== undefined ? rows.slice(-Math.max(0, q.n)) : rows;
        break;
      case "range": {
        // Session 0 or negative offsets mean "this session" here: older sessions are not kept.
        const session = q.session ?? 0;
        if (session > 0 && session !== this.session) return [];
        const start = q.start ?? 0;
        const stop = q.stop ?? Number.POSITIVE_INFINITY;
        rows = rows.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case "search": {
        const re = globToRegExp(q.pattern ?? "*");
        rows = rows.filter((e) => re.test(e.input));
        if (q.unique) {
          const seen = new Set<string>();
          rows = rows
            .slice()
            .reverse()
            .filter((e) => !seen.has(e.input) && (seen.add(e.input), true))
            .reverse();
        }
        if (q.n !== undefined) rows = rows.slice(-Math.max(0, q.n));
        break;
      }
      default:
        return [];
    }
    return rows.map((e) => [this.session, e.line, q.output ? [e.input, e.output] : e.input]);
  }
}
