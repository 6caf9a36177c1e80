/**
 * Drives the real kernel process over ZeroMQ with the Jupyter client (src/jupyter/client.ts):
 * signatures, execution_count rules, tracebacks, interrupts, shutdown, displays, stdin.
 */
import { describe, expect, it } from "vitest";
import { createSigner } from "../../src/jupyter/wire.js";
import { ensureKernelBuilt, kernelForSuite, launchTestKernel } from "./helpers.js";

const types = (msgs: { header: { msg_type: string } }[]) => msgs.map((m) => m.header.msg_type);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long an interrupted cell's reply may take before the test reports a hang (no latency claim). */
const HANG_GUARD_MS = 100_000;

describe("splatbook kernel over zmq", () => {
  const kernel = kernelForSuite();

  it("answers kernel_info with TypeScript language_info", async () => {
    const reply = await kernel().client.request("shell", "kernel_info_request");
    expect(reply.content).toMatchObject({
      status: "ok",
      protocol_version: "5.3",
      implementation: "splatbook",
      language_info: {
        name: "typescript",
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: "typescript",
      },
    });
    expect(reply.content.language_info.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("echoes heartbeats", async () => {
    const zmq = await import("zeromq");
    // Generous: the kernel builds its compiler program right after start, which blocks its event
    // loop for seconds on a loaded machine; what is tested is the echo itself.
    const hb = new zmq.Request({ linger: 0, receiveTimeout: 60_000 });
    hb.connect(`tcp://127.0.0.1:${kernel().client.connection.hb_port}`);
    try {
      await hb.send("ping-42");
      const [echo] = await hb.receive();
      expect(echo!.toString()).toBe("ping-42");
    } finally {
      hb.close();
    }
  });

  it("drops a message with a bad signature and logs it", async () => {
    const k = kernel();
    const id = k.client.send("shell", "kernel_info_request", {}, createSigner("not-the-key"));
    // A well-signed request right after is served normally; the kernel reads shell messages in
    // order, so once it has answered, it has seen (and dropped) the forged one.
    expect((await k.client.request("shell", "kernel_info_request")).content.status).toBe("ok");
    await expect(k.client.reply(id, 500)).rejects.toThrow(/timed out/);
    expect(k.client.received(id)).toEqual([]);
    // The log travels on the kernel's stderr pipe, which may trail its zmq reply.
    const logged = /dropped shell message: invalid message signature/;
    for (let i = 0; i < 100 && !logged.test(k.log()); i++) await sleep(100);
    expect(k.log()).toMatch(logged);
  });

  it("follows the execution_count rules for silent and store_history", async () => {
    const first = await kernel().client.execute("1 + 1");
    const n = first.reply!.content.execution_count as number;
    expect(
      first.outputs.find((m) => m.header.msg_type === "execute_result")?.content,
    ).toMatchObject({
      execution_count: n,
      data: { "text/plain": "2" },
    });

    const silent = await kernel().client.execute('console.log("quiet"); 5', {
      content: { silent: true },
    });
    expect(silent.reply!.content).toMatchObject({ status: "ok", execution_count: n });
    expect(silent.outputs).toEqual([]);

    const unstored = await kernel().client.execute("3", { content: { store_history: false } });
    expect(unstored.reply!.content.execution_count).toBe(n);
    expect(types(unstored.outputs)).toEqual(["execute_input", "execute_result"]);
    expect(unstored.outputs[0]!.content.execution_count).toBe(n);

    const next = await kernel().client.execute("4");
    expect(next.reply!.content.execution_count).toBe(n + 1);
  });

  it("wraps every request in busy/idle with the request as parent", async () => {
    const id = kernel().client.send("shell", "complete_request", {
      code: "Math.ab",
      cursor_pos: 7,
    });
    const reply = await kernel().client.reply(id);
    expect(reply.content).toMatchObject({
      status: "ok",
      matches: ["abs"],
      cursor_start: 5,
      cursor_end: 7,
    });
    const states = (await kernel().client.untilIdle(id)).map((m) => m.content.execution_state);
    expect(states).toEqual(["busy", "idle"]);
  });

  it("maps runtime errors to cell lines across cells", async () => {
    const define = await kernel().client.execute(
      'const base: number = 1;\n\nfunction explode(what: string): never {\n  throw new RangeError("bad " + what);\n}',
    );
    expect(define.reply!.content.status).toBe("ok");
    const defCell = define.reply!.content.execution_count as number;
    const call = await kernel().client.execute('const y = base + 1;\nexplode("input")');
    const callCell = call.reply!.content.execution_count as number;
    expect(call.reply!.content).toMatchObject({
      status: "error",
      ename: "RangeError",
      evalue: "bad input",
    });
    const errors = call.outputs.filter((m) => m.header.msg_type === "error");
    expect(errors).toHaveLength(1);
    const tb = (errors[0]!.content.traceback as string[]).join("\n");
    expect(tb).toContain(`Cell In[${defCell}], line 4, in explode`);
    expect(tb).toContain(`Cell In[${callCell}], line 2`);
    expect(tb).toContain("--->");
    expect(tb).not.toMatch(/node:vm|splatbook-cell-/);
  });

  it("reports TypeScript errors with cell line and column", async () => {
    const r = await kernel().client.execute("const ok = 1;\nconst s: string = 42;");
    expect(r.reply!.content).toMatchObject({ status: "error", ename: "CompileError" });
    expect((r.reply!.content.traceback as string[]).join("\n")).toMatch(
      /line 2, column 7: error TS2322/,
    );
  });

  it("keeps variables across cells and supports top-level await", async () => {
    await kernel().client.execute("let counter = 10;");
    const r = await kernel().client.execute(
      "await new Promise((r) => setTimeout(r, 20));\ncounter + 5",
    );
    expect(r.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({
      "text/plain": "15",
    });
  });

  it("sends display_data then update_display_data from tslab.newDisplay()", async () => {
    const r = await kernel().client.execute(
      'import * as tslab from "tslab";\nconst d = tslab.newDisplay();\nd.html("<i>one</i>");\nd.html("<i>two</i>");',
    );
    expect(types(r.outputs)).toEqual(["execute_input", "display_data", "update_display_data"]);
    const [, shown, updated] = r.outputs;
    const id = shown!.content.transient.display_id;
    expect(typeof id).toBe("string");
    expect(updated!.content.transient.display_id).toBe(id);
    expect(updated!.content.data).toEqual({ "text/html": "<i>two</i>" });
  });

  it("resolves splatbook in cells: display() bundles and MIME_BUNDLE results", async () => {
    const r = await kernel().client.execute(
      'import { display, MIME_BUNDLE, isInsideKernel } from "splatbook";\n' +
        'const h = display({ "text/plain": "50%", "application/vnd.splatbook.progress+json": { percent: 50 } });\n' +
        'h.update({ "text/plain": "100%", "application/vnd.splatbook.progress+json": { percent: 100 } });\n' +
        '({ inside: isInsideKernel(), [MIME_BUNDLE]() { return { "text/html": "<b>card</b>" }; } })',
    );
    expect(r.reply!.content.status).toBe("ok");
    expect(types(r.outputs)).toEqual([
      "execute_input",
      "display_data",
      "update_display_data",
      "execute_result",
    ]);
    expect(r.outputs[2]!.content.data["application/vnd.splatbook.progress+json"]).toEqual({
      percent: 100,
    });
    expect(r.outputs[2]!.content.transient.display_id).toBe(
      r.outputs[1]!.content.transient.display_id,
    );
    expect(r.outputs[3]!.content.data["text/html"]).toBe("<b>card</b>");
    expect(r.outputs[3]!.content.data["text/plain"]).toMatch(/inside: true/);
  });

  it("ends an awaiting cell on interrupt_request and aborts the cell signal", async () => {
    const id = kernel().client.send("shell", "execute_request", {
      code:
        'import { getCellAbortSignal } from "splatbook";\nconst sig = getCellAbortSignal();\n' +
        'let fired = false;\nsig.addEventListener("abort", () => { fired = true; });\n' +
        "await new Promise((r) => setTimeout(r, 600000));",
      silent: false,
      store_history: true,
      allow_stdin: false,
      stop_on_error: true,
      user_expressions: {},
    });
    await sleep(1_500); // the compile of the cell takes a moment
    const t0 = Date.now();
    const ack = await kernel().client.request("control", "interrupt_request");
    expect(ack.content.status).toBe("ok");
    // Only the interrupt can end the cell before the guard (the cell waits 10 min): the guard
    // turns a hang into a message and says nothing about latency, which is printed.
    const reply = await kernel().client.reply(id, HANG_GUARD_MS);
    console.log(`interrupt_request → reply: ${Date.now() - t0} ms`);
    expect(reply.content).toMatchObject({ status: "error", ename: "InterruptedError" });
    expect(reply.content.evalue).toMatch(/interrupted/);
    const after = await kernel().client.execute("[fired, sig.reason?.name]");
    expect(after.outputs.at(-1)!.content.data["text/plain"]).toBe("[ true, 'InterruptedError' ]");
  });

  it("ends an awaiting cell on SIGINT, and a synchronous loop too", async () => {
    for (const code of ["await new Promise((r) => setTimeout(r, 600000));", "while (true) {}"]) {
      const id = kernel().client.send("shell", "execute_request", {
        code,
        silent: false,
        store_history: true,
        allow_stdin: false,
        stop_on_error: true,
        user_expressions: {},
      });
      await sleep(1_000);
      const t0 = Date.now();
      kernel().process.kill("SIGINT");
      const reply = await kernel().client.reply(id, HANG_GUARD_MS);
      console.log(`SIGINT → reply: ${Date.now() - t0} ms`);
      expect(reply.content).toMatchObject({
        status: "error",
        ename: "InterruptedError",
        evalue: "interrupted (SIGINT)",
      });
    }
    // The kernel survives and keeps its variables.
    const r = await kernel().client.execute("counter");
    expect(r.outputs.at(-1)!.content.data["text/plain"]).toBe("10");
  });

  it("asks for input over stdin", async () => {
    kernel().client.onInput((prompt) => `answer to ${prompt}`);
    const r = await kernel().client.execute(
      'import { requestInput } from "splatbook";\nawait requestInput("name?")',
    );
    expect(r.outputs.at(-1)!.content.data["text/plain"]).toBe("'answer to name?'");
  });

  it("handles comm and history requests", async () => {
    const info = await kernel().client.request("shell", "comm_info_request", {});
    expect(info.content).toEqual({ status: "ok", comms: {} });
    const id = kernel().client.send("shell", "comm_open", {
      comm_id: "c1",
      target_name: "nothing",
      data: {},
    });
    const msgs = await kernel().client.untilIdle(id);
    expect(msgs.find((m) => m.header.msg_type === "comm_close")?.content).toMatchObject({
      comm_id: "c1",
    });
    const hist = await kernel().client.request("shell", "history_request", {
      output: false,
      raw: true,
      hist_access_type: "search",
      pattern: "*counter + 5",
    });
    expect(hist.content.status).toBe("ok");
    expect(hist.content.history).toHaveLength(1);
  });

  it("aborts queued cells after an error (stop_on_error)", async () => {
    const bad = kernel().client.send("shell", "execute_request", {
      code: 'await new Promise((r) => setTimeout(r, 300));\nthrow new Error("first")',
      silent: false,
      store_history: true,
      stop_on_error: true,
      allow_stdin: false,
      user_expressions: {},
    });
    const queued = kernel().client.send("shell", "execute_request", {
      code: "1",
      silent: false,
      store_history: true,
      stop_on_error: true,
      allow_stdin: false,
      user_expressions: {},
    });
    expect((await kernel().client.reply(bad)).content.status).toBe("error");
    expect((await kernel().client.reply(queued)).content.status).toBe("aborted");
  });
});

describe("splatbook kernel shutdown", () => {
  it("replies to shutdown_request (restart) on control and exits", async () => {
    ensureKernelBuilt();
    const k = await launchTestKernel();
    try {
      const reply = await k.client.request("control", "shutdown_request", { restart: true });
      expect(reply.content).toEqual({ status: "ok", restart: true });
      expect(await k.exited).toBe(0);
    } finally {
      await k.shutdown();
    }
  });
});
