/**
 * wsr.v1 frames (docs/protocol.md § 2, § 3): varints, the frames a client sends, and a strict
 * decoder of the frames a server sends. Malformed input throws {@link ProtocolError}.
 */

/** Frame types (§ 3). */
export const HELLO = 1,
  WELCOME = 2,
  SESSION_LOST = 3,
  TEXT = 4,
  BINARY = 5,
  ACK = 6,
  ERROR = 7,
  BATCH = 8;

/** HELLO mode bits (§ 3.1). */
export const MODE_RESUME = 1,
  MODE_BATCH = 2;

/**
 * A malformed or out-of-place frame: the client closes with `code`, 4004 where the document
 * says 1002, 4005 where it says 1009 (a payload above max_payload) ([M8.3]).
 */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  constructor(
    message: string,
    readonly code = 4004,
  ) {
    super(message);
  }
}

/** An application message: text arrives as a string, binary as bytes. */
export type Payload = string | Uint8Array;

/** A decoded WELCOME (§ 3.2). */
export interface Welcome {
  t: typeof WELCOME;
  resumed: boolean;
  batch: boolean;
  session: Uint8Array;
  token: Uint8Array;
  last: number;
  maxPayload: number;
  maxUnacked: number;
  resumeWindowMs: number;
}

/** A decoded frame from the server. DATA is a BATCH of one entry. */
export type Frame =
  | Welcome
  | { t: typeof SESSION_LOST; reason: number }
  | { t: typeof BATCH; seq: number; items: Payload[] }
  | { t: typeof ACK; seq: number }
  | { t: typeof ERROR; code: number; reason: string };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const fail = (what: string): never => {
  throw new ProtocolError(what);
};

/** Appends `n` (0 ≤ n ≤ 2^53 − 1) as a minimal LEB128 varint. */
export const putVarint = (out: number[], n: number): void => {
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
};

/** The UTF-8 bytes of a text payload, the bytes of a binary one. */
export const bytesOf = (payload: Payload): Uint8Array =>
  typeof payload === "string" ? utf8.encode(payload) : payload;

const frame = (head: number[], tail?: Uint8Array): Uint8Array => {
  const out = new Uint8Array(head.length + (tail ? tail.length : 0));
  out.set(head);
  if (tail) out.set(tail, head.length);
  return out;
};

/** HELLO (§ 3.1): fresh when `session` is absent, else a resume from `last`. */
export const encodeHello = (
  auth: Uint8Array,
  session?: Uint8Array,
  token?: Uint8Array,
  last = 0,
  batch = true,
): Uint8Array => {
  const head = [HELLO, (batch ? MODE_BATCH : 0) | (session ? MODE_RESUME : 0)];
  if (session && token) {
    head.push(...session, ...token);
    putVarint(head, last);
  }
  return frame(head, auth);
};

/** DATA (§ 3.4): text for a string, binary for bytes. */
export const encodeData = (seq: number, payload: Payload): Uint8Array => {
  const head = [typeof payload === "string" ? TEXT : BINARY];
  putVarint(head, seq);
  return frame(head, bytesOf(payload));
};

/** ACK (§ 3.5): cumulative. */
export const encodeAck = (seq: number): Uint8Array => {
  const head = [ACK];
  putVarint(head, seq);
  return frame(head);
};

/** ERROR (§ 3.6): informative, sent before a close. */
export const encodeError = (code: number, reason: string): Uint8Array =>
  frame([ERROR, code >> 8, code & 0xff], utf8.encode(reason));

/** Reads the fields of one message, strictly. */
class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public at = 1,
  ) {}

  u8(): number {
    if (this.at >= this.bytes.length) fail("frame too short");
    return this.bytes[this.at++]!;
  }

  /**
   * A minimal varint of up to 10 bytes, the 10th only `01` ([M2.4]). Any u64 is accepted; a
   * Number is exact up to 2^53 − 1, and a larger sequence number is a gap or an ACK beyond
   * sent whatever its rounding (a limit such as max_payload may be rounded harmlessly).
   */
  varint(): number {
    let n = 0;
    for (let i = 0, scale = 1; ; i++, scale *= 128) {
      const byte = this.u8();
      if (i === 9 && byte !== 1) fail("varint above 2^64 - 1");
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return byte === 0 && i > 0 ? fail("non-minimal varint") : n;
    }
  }

  take(length: number): Uint8Array {
    if (this.at + length > this.bytes.length) fail("frame too short");
    return this.bytes.slice(this.at, (this.at += length));
  }

  rest(): Uint8Array {
    return this.take(this.bytes.length - this.at);
  }

  done(): void {
    if (this.at !== this.bytes.length) fail("extra bytes after the last field");
  }

  seq(): number {
    return this.varint() || fail("sequence number 0");
  }
}

/** The payload of kind `kind` (`TEXT` or `BINARY`), at most `max` bytes ([M3.10], [M6.5]: else 4005). */
const payloadOf = (kind: number, bytes: Uint8Array, max = Infinity): Payload => {
  if (bytes.length > max) throw new ProtocolError("payload above max_payload", 4005);
  if (kind === BINARY) return bytes;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return fail("invalid UTF-8");
  }
};

const decodeWelcome = (r: Reader): Welcome => {
  const flags = r.u8();
  if (flags > 3) fail("reserved WELCOME flag");
  const session = r.take(16),
    token = r.take(16);
  const [last, maxPayload, maxUnacked, resumeWindowMs] = [r.varint(), r.varint(), r.varint(), r.varint()];
  r.done();
  return { t: WELCOME, resumed: (flags & 1) === 1, batch: (flags & 2) === 2, session, token, last, maxPayload, maxUnacked, resumeWindowMs };
};

/**
 * BATCH ([M3.9]): one or more entries; a last seq above 2^64 − 1 is a gap (4004) anyway. At
 * most `maxEntries` (the window, max_unacked) entries: one more throws with 4001 ([M3.11]).
 */
const decodeBatch = (r: Reader, _type: number, max: number, maxEntries: number): Frame => {
  const seq = r.seq(),
    items: Payload[] = [];
  do {
    if (items.length >= maxEntries) throw new ProtocolError("BATCH past max_unacked entries", 4001);
    const kind = r.u8();
    if (kind !== TEXT && kind !== BINARY) fail("BATCH entry kind");
    items.push(payloadOf(kind, r.take(r.varint()), max));
  } while (r.at < r.bytes.length);
  return { t: BATCH, seq, items };
};

const decoders: Record<number, (r: Reader, type: number, max: number, maxEntries: number) => Frame> = {
  [WELCOME]: decodeWelcome,
  [SESSION_LOST]: (r) => {
    const reason = r.u8();
    r.done();
    return { t: SESSION_LOST, reason };
  },
  [TEXT]: (r, type, max) => ({ t: BATCH, seq: r.seq(), items: [payloadOf(type, r.rest(), max)] }),
  [BINARY]: (r, type, max) => ({ t: BATCH, seq: r.seq(), items: [payloadOf(type, r.rest(), max)] }),
  [ACK]: (r) => {
    const seq = r.varint();
    r.done();
    return { t: ACK, seq };
  },
  [ERROR]: (r) => ({ t: ERROR, code: (r.u8() << 8) | r.u8(), reason: payloadOf(TEXT, r.rest()) as string }),
  [BATCH]: decodeBatch,
};

/**
 * Decodes one binary message from the server. HELLO and the reserved types are protocol
 * errors; BATCH only when the client announced it (`batch`); a DATA payload or BATCH entry
 * above `maxPayload` bytes throws with code 4005; a BATCH of more than `maxEntries` entries
 * (the window) with code 4001.
 */
export const decode = (bytes: Uint8Array, batch = true, maxPayload = Infinity, maxEntries = Infinity): Frame => {
  const type = bytes.length ? bytes[0]! : fail("empty message");
  const decoder = (type !== BATCH || batch) && decoders[type];
  return decoder ? decoder(new Reader(bytes), type, maxPayload, maxEntries) : fail(`frame type ${type}`);
};
