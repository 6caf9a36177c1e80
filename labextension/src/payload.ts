/** Reading a kernel bundle's splatbook payload in a mime renderer. */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";

/** A schema's safeParse (zod's), as far as this module needs it. */
interface PayloadSchema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } };
}

/**
 * The payload of `mime` in `model`, checked against its contract; when it does not match, `node`
 * says so (`splatbook: unreadable <what> payload (<first issue>)`) and the result is undefined.
 */
export function readPayload<T>(
  node: HTMLElement,
  model: IRenderMime.IMimeModel,
  mime: string,
  schema: PayloadSchema<T>,
  what: string,
): T | undefined {
  const parsed = schema.safeParse(model.data[mime]);
  if (parsed.success) return parsed.data;
  node.textContent = `splatbook: unreadable ${what} payload (${parsed.error.issues[0]?.message})`;
  return undefined;
}
