/**
 * The Jupyter wire protocol (messaging spec 5.3), shared by the kernel and the notebook runner:
 * HMAC signing, the multipart frame layout around `<IDS|MSG>`, and message headers.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/** The Jupyter messaging protocol version both sides speak. */
export const PROTOCOL_VERSION = "5.3";

/** Separates the ZeroMQ routing identities from the signed message frames. */
export const DELIMITER = Buffer.from("<IDS|MSG>");

/** A Jupyter message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

/** A decoded Jupyter message without routing identities (what a client sends and receives). */
export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  /** The request's header, or `{}` when there is none. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** A decoded Jupyter message with its routing identities (what the kernel's sockets see). */
export interface Message<C = Record<string, any>> extends JupyterMessage<C> {
  /** ZeroMQ routing identities (ROUTER sockets) or the pub topic. */
  identities: Buffer[];
}

/** Raised by {@link decodeMessage} for malformed frames or a signature mismatch. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

/** Signs and verifies the four JSON frames of a message. */
export interface Signer {
  sign(frames: readonly Buffer[]): string;
  verify(signature: string, frames: readonly Buffer[]): boolean;
}

/**
 * HMAC signer for the connection file's `key` and `signature_scheme` ("hmac-sha256").
 * An empty key disables signing, as the protocol allows.
 */
export function createSigner(key: string, scheme = "hmac-sha256"): Signer {
  const match = /^hmac-(.+)$/.exec(scheme);
  if (!match) throw new WireError(`unsupported signature_scheme "${scheme}"`);
  const algorithm = match[1]!;
  const sign = (frames: readonly Buffer[]): string => {
    if (!key) return "";
    const hmac = createHmac(algorithm, key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  };
  return {
    sign,
    verify(signature, frames) {
      // Constant-time compare: a forged message must not be accepted by timing the check.
      const expected = Buffer.from(sign(frames));
      const got = Buffer.from(signature);
      return expected.length === got.length && timingSafeEqual(expected, got);
    },
  };
}

function parseJsonFrame(frame: Buffer | undefined, what: string): any {
  if (frame === undefined) throw new WireError(`message lacks its ${what} frame`);
  try {
    return JSON.parse(frame.toString("utf8"));
  } catch {
    throw new WireError(`message ${what} frame is not JSON`);
  }
}

/** Decodes raw frames; throws {@link WireError} when they are malformed or badly signed. */
export function decodeMessage(frames: readonly Buffer[], signer: Signer): Message {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) throw new WireError("message lacks the <IDS|MSG> delimiter");
  const signature = frames[at + 1]?.toString("ascii") ?? "";
  const signed = frames.slice(at + 2, at + 6);
  if (signed.length < 4) throw new WireError("message has fewer than four JSON frames");
  if (!signer.verify(signature, signed)) throw new WireError("invalid message signature");
  const header = parseJsonFrame(signed[0], "header") as MessageHeader;
  if (typeof header?.msg_type !== "string") throw new WireError("message header lacks msg_type");
  return {
    identities: frames.slice(0, at),
    header,
    parent_header: parseJsonFrame(signed[1], "parent header") ?? {},
    metadata: parseJsonFrame(signed[2], "metadata") ?? {},
    content: parseJsonFrame(signed[3], "content") ?? {},
    buffers: frames.slice(at + 6),
  };
}

/** Encodes a message into signed wire frames (identities first when it has any). */
export function encodeMessage(
  message: JupyterMessage<unknown> & { identities?: Buffer[] },
  signer: Signer,
): Buffer[] {
  const json = [message.header, message.parent_header, message.metadata, message.content].map(
    (part) => Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [
    ...(message.identities ?? []),
    DELIMITER,
    Buffer.from(signer.sign(json), "ascii"),
    ...json,
    ...message.buffers,
  ];
}

/** A fresh header for a message this side originates. */
export function createHeader(
  msgType: string,
  session: string,
  username = "splatbook",
): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}
