/**
 * Publishing on iopub: every message gets the `kernel.<session>.<msg_type>` topic, and
 * stdout/stderr text is coalesced for a few milliseconds into one `stream` message so that
 * progress output does not flood the frontend. Any other message flushes pending stream text
 * first, so output keeps its order.
 */
import { encodeMessage, type Message, type Signer } from "../jupyter/wire.js";

/** Sends frames on one socket, never overlapping sends (zeromq rejects that with EBUSY). */
export type SerialSend = ((frames: Buffer[]) => Promise<void>) & { drained(): Promise<void> };

/** Builds a message this kernel sends (header in its session, parent's header as parent). */
export type MessageFactory = (
  msgType: string,
  content: object,
  parent: Message | undefined,
  identities?: Buffer[],
) => Message<unknown>;

/** Publishes on iopub. */
export interface IopubPublisher {
  /** Publishes with an explicit parent (used for output after a cell ended, too). */
  publish(msgType: string, content: object, parent: Message | undefined): void;
  /** Queues text for a `stream` message under `parent` (coalesced for a few milliseconds). */
  writeStream(name: "stdout" | "stderr", text: string, parent: Message | undefined): void;
  /** Sends pending stream text now. */
  flush(): void;
}

/** How long stream text waits for more before it is sent. */
const STREAM_COALESCE_MS = 10;

/** Creates the publisher for one kernel session. */
export function createIopubPublisher(options: {
  session: string;
  signer: Signer;
  message: MessageFactory;
  send: SerialSend;
}): IopubPublisher {
  const { session, signer, message, send } = options;
  let pending: { name: string; text: string; parent: Message | undefined } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sendOne = (msgType: string, content: object, parent: Message | undefined) => {
    const topic = Buffer.from(`kernel.${session}.${msgType}`);
    void send(encodeMessage(message(msgType, content, parent, [topic]), signer));
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const p = pending;
    pending = undefined;
    if (p) sendOne("stream", { name: p.name, text: p.text }, p.parent);
  };
  return {
    flush,
    publish(msgType, content, parent) {
      flush();
      sendOne(msgType, content, parent);
    },
    writeStream(name, text, parent) {
      if (pending && (pending.name !== name || pending.parent !== parent)) flush();
      if (pending) pending.text += text;
      else pending = { name, text, parent };
      timer ??= setTimeout(flush, STREAM_COALESCE_MS);
    },
  };
}
