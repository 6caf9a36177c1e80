import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/** The Jupyter messaging protocol version this client speaks. */
export const PROTOCOL_VERSION = "5.3";

const DELIMITER = "<IDS|MSG>";

/** A Jupyter message header. */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded Jupyter message (buffers are kept raw). */
export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Signs and verifies messages for one kernel connection (HMAC-SHA256 over the four JSON parts). */
export interface MessageCodec {
  readonly session: string;
  /** Builds a new request message with a fresh msg_id. */
  create(msgType: string, content: Record<string, unknown>): JupyterMessage;
  /** Serialises a message to wire frames (delimiter, signature, header, parent, metadata, content). */
  encode(msg: JupyterMessage): Buffer[];
  /** Parses wire frames; returns undefined for malformed frames or a bad signature. */
  decode(frames: Buffer[]): JupyterMessage | undefined;
}

/** Creates the codec for a connection key (an empty key disables signing, as the spec allows). */
export function createMessageCodec(key: string, session: string = randomUUID()): MessageCodec {
  const sign = (parts: Buffer[]): string => {
    if (key === "") return "";
    const hmac = createHmac("sha256", key);
    for (const p of parts) hmac.update(p);
    return hmac.digest("hex");
  };
  return {
    session,
    create(msgType, content) {
      return {
        header: {
          msg_id: randomUUID(),
          msg_type: msgType,
          session,
          username: "splatbook",
          date: new Date().toISOString(),
          version: PROTOCOL_VERSION,
        },
        parent_header: {},
        metadata: {},
        content,
        buffers: [],
      };
    },
    encode(msg) {
      const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) =>
        Buffer.from(JSON.stringify(p), "utf8"),
      );
      return [Buffer.from(DELIMITER), Buffer.from(sign(parts)), ...parts, ...msg.buffers];
    },
    decode(frames) {
      const at = frames.findIndex(
        (f) => f.length === DELIMITER.length && f.toString() === DELIMITER,
      );
      if (at < 0 || frames.length < at + 6) return undefined;
      const signature = frames[at + 1]!;
      const parts = frames.slice(at + 2, at + 6);
      const expected = Buffer.from(sign(parts));
      // Constant-time compare: a forged iopub message must not be accepted.
      if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) {
        return undefined;
      }
      try {
        const [header, parent, metadata, content] = parts.map((p) =>
          JSON.parse(p.toString("utf8")),
        );
        return {
          header,
          parent_header: parent ?? {},
          metadata: metadata ?? {},
          content: content ?? {},
          buffers: frames.slice(at + 6),
        };
      } catch {
        return undefined;
      }
    },
  };
}
