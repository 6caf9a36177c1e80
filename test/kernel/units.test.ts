/** Unit tests of the kernel's pure parts: wire signing, history queries, is_complete. */
import { describe, expect, it } from "vitest";
import { History, globToRegExp } from "../../src/kernel/history.js";
import { loadTsHost } from "../../src/kernel/tsHost.js";
import { isCompleteCode } from "../../src/kernel/isComplete.js";
import { sourceExcerpt } from "../../src/kernel/traceback.js";
import {
  createHeader,
  createSigner,
  decodeMessage,
  DELIMITER,
  encodeMessage,
  WireError,
} from "../../src/jupyter/wire.js";
import { ROOT } from "./helpers.js";

describe("wire", () => {
  const signer = createSigner("secret");
  const msg = {
    identities: [Buffer.from("client-1")],
    header: createHeader("kernel_info_request", "s1"),
    parent_header: {},
    metadata: {},
    content: { a: 1 },
    buffers: [],
  };

  it("round-trips a signed message", () => {
    const frames = encodeMessage(msg, signer);
    expect(frames[1]!.equals(DELIMITER)).toBe(true);
    expect(frames[2]!.toString()).toMatch(/^[0-9a-f]{64}$/);
    const back = decodeMessage(frames, signer);
    expect(back.identities[0]!.toString()).toBe("client-1");
    expect(back.header.msg_type).toBe("kernel_info_request");
    expect(back.content).toEqual({ a: 1 });
  });

  it("rejects a wrong key or a tampered frame", () => {
    const frames = encodeMessage(msg, signer);
    expect(() => decodeMessage(frames, createSigner("other"))).toThrow(WireError);
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ a: 2 }));
    expect(() => decodeMessage(tampered, signer)).toThrow(/invalid message signature/);
  });

  it("does not sign with an empty key", () => {
    const none = createSigner("");
    const frames = encodeMessage(msg, none);
    expect(frames[2]!.length).toBe(0);
    expect(decodeMessage(frames, none).content).toEqual({ a: 1 });
  });
});

describe("history", () => {
  const h = new History(1);
  for (const [line, input] of [
    [1, "6 * 7"],
    [2, "x = 1"],
    [3, "6 * 7"],
    [4, "6 + 7"],
  ] as const) {
    h.add({ line, input, output: line === 1 ? "42" : null });
  }

  it("globs like SQLite GLOB", () => {
    expect(globToRegExp("6*7").test("6 * 7")).toBe(true);
    expect(globToRegExp("6?7").test("6 * 7")).toBe(false);
    expect(globToRegExp("[xy] = ?").test("x = 1")).toBe(true);
  });

  it("answers tail, range and search", () => {
    expect(h.query({ hist_access_type: "tail", n: 2 })).toEqual([
      [1, 3, "6 * 7"],
      [1, 4, "6 + 7"],
    ]);
    expect(
      h.query({ hist_access_type: "range", session: 1, start: 1, stop: 2, output: true }),
    ).toEqual([[1, 1, ["6 * 7", "42"]]]);
    expect(h.query({ hist_access_type: "search", pattern: "6*7" })).toHaveLength(3);
    expect(h.query({ hist_access_type: "search", pattern: "6 [*] 7", unique: true })).toEqual([
      [1, 3, "6 * 7"],
    ]);
    expect(h.query({ hist_access_type: "range", session: 7 })).toEqual([]);
  });
});

describe("is_complete and excerpts", () => {
  it("classifies code as complete, incomplete or invalid", () => {
    const host = loadTsHost(ROOT, process.cwd());
    expect(isCompleteCode(host, "const a = 1;")).toEqual({ status: "complete" });
    expect(isCompleteCode(host, "for (const x of xs) {")).toEqual({
      status: "incomplete",
      indent: "  ",
    });
    expect(isCompleteCode(host, "const s = `abc").status).toBe("incomplete");
    expect(isCompleteCode(host, "const = 5").status).toBe("invalid");
    expect(isCompleteCode(host, "function f() {\n\n").status).toBe("complete");
  });

  it("marks the failing line in a source excerpt", () => {
    expect(sourceExcerpt("a\nb\nc\nd", 2, 1)).toEqual(["     1 | a", "---> 2 | b", "     3 | c"]);
  });
});
