// The Jupyter messaging protocol 5.x wire format: building, signing (HMAC-SHA256), parsing and verifying messages.
// See jupyter_client's messaging spec; the frames are [identities…, "<IDS|MSG>", hmac, header, parent, metadata, content, buffers…].
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message<Content = Record<string, unknown>> {
  header: MessageHeader;
  /** Empty object when the message has no parent. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Content;
  buffers: Buffer[];
}

/** Signs and checks messages with the connection file's key; an empty key means no signing (allowed by the spec). */
export class Signer {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  sign(parts: Array<string | Buffer>): string {
    if (this.#key === '') return '';
    const hmac = createHmac('sha256', this.#key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }

  verify(signature: string, parts: Array<string | Buffer>): boolean {
    if (this.#key === '') return true;
    const expected = Buffer.from(this.sign(parts), 'utf8');
    const actual = Buffer.from(signature, 'utf8');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

export class ProtocolError extends Error {}

/** One client session: every request carries its id so the kernel can address replies and iopub messages to us. */
export class Session {
  readonly id = randomUUID();
  readonly #signer: Signer;

  constructor(key: string) {
    this.#signer = new Signer(key);
  }

  /** A new message of our session; returns it with the frames to send on a DEALER socket. */
  request(msgType: string, content: object): { header: MessageHeader; frames: Array<string | Buffer> } {
    const header: MessageHeader = {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.id,
      username: 'repro',
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
    const parts = [JSON.stringify(header), '{}', '{}', JSON.stringify(content)];
    return { header, frames: [DELIMITER, this.#signer.sign(parts), ...parts] };
  }

  /** Parses frames received from the kernel; a bad signature is refused, as the spec asks. */
  parse(frames: Buffer[]): Message {
    const at = frames.findIndex((frame) => frame.toString('utf8') === DELIMITER);
    if (at < 0 || frames.length < at + 6) throw new ProtocolError('malformed message: no delimiter or missing frames');
    const signature = frames[at + 1].toString('utf8');
    const parts = frames.slice(at + 2, at + 6);
    if (!this.#signer.verify(signature, parts)) throw new ProtocolError('message with an invalid HMAC signature');
    const [header, parent, metadata, content] = parts.map((part) => JSON.parse(part.toString('utf8')) as unknown);
    if (!isObject(header) || typeof header.msg_type !== 'string') throw new ProtocolError('message without a header');
    return {
      header: header as unknown as MessageHeader,
      parent_header: (isObject(parent) ? parent : {}) as Partial<MessageHeader>,
      metadata: isObject(metadata) ? metadata : {},
      content: isObject(content) ? content : {},
      buffers: frames.slice(at + 6),
    };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
