import { inspect } from "node:util";
import { MIME_BUNDLE, type MimeBundle } from "../jupyter/runtime.js";

/** text/plain for a value: Node's inspect, no colours, bounded depth. */
export function plainText(value: unknown): string {
  try {
    return inspect(value, {
      depth: 4,
      maxArrayLength: 100,
      maxStringLength: 10_000,
      breakLength: 100,
    });
  } catch (err) {
    return `[value could not be inspected: ${(err as Error).message}]`;
  }
}

/**
 * The execute_result bundle for a cell's last value: the value's own bundle when it implements
 * `[MIME_BUNDLE]()` (e.g. a Job's status card), always with a text/plain entry.
 */
export function toMimeBundle(value: unknown): {
  data: MimeBundle;
  metadata: Record<string, unknown>;
} {
  let custom: MimeBundle | undefined;
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    try {
      const method = (value as Record<symbol, unknown>)[MIME_BUNDLE];
      if (typeof method === "function") custom = method.call(value) as MimeBundle;
    } catch (err) {
      custom = {
        "text/plain": `${plainText(value)}\n[MIME_BUNDLE failed: ${(err as Error).message}]`,
      };
    }
  }
  const data: MimeBundle = { ...(custom ?? {}) };
  if (typeof data["text/plain"] !== "string") data["text/plain"] = plainText(value);
  return { data, metadata: {} };
}
