// A scripted WebSocket for the client's unit tests: the test plays the server, frame by frame.
import * as c from "../../dist/codec.js";

export const SESSION = Uint8Array.from({ length: 16 }, (_, i) => i);
export const TOKEN_A = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
export const TOKEN_B = Uint8Array.from({ length: 16 }, (_, i) => 0xb0 + i);
export const hex = (bytes) => Array.from(bytes, (b) => (b | 256).toString(16).slice(1)).join(" ");

const varint = (n) => {
  const out = [];
  c.putVarint(out, n);
  return out;
};

/** The server's frames (§ 3). */
export const server = {
  welcome: ({ resumed = false, session = SESSION, token = TOKEN_A, last = 0, maxPayload = 1_048_576, maxUnacked = 1024, windowMs = 120_000 } = {}) =>
    Uint8Array.from([2, resumed ? 1 : 0, ...session, ...token, ...varint(last), ...varint(maxPayload), ...varint(maxUnacked), ...varint(windowMs)]),
  data: (seq, text) => c.encodeData(seq, text),
  ack: (seq) => c.encodeAck(seq),
  lost: (reason) => Uint8Array.from([3, reason]),
};

export class FakeSocket {
  static all = [];
  static get last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }
  constructor(url, protocols) {
    Object.assign(this, { url, protocols, sent: [], protocol: "", closedWith: undefined, binaryType: "blob" });
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    FakeSocket.all.push(this);
  }
  send(data) {
    if (this.closedWith !== undefined) return;
    this.sent.push(typeof data === "string" ? data : Uint8Array.from(data));
    FakeSocket.log?.push("send " + hex(data).slice(0, 2));
  }
  close(code) {
    this.closedWith = code;
  }
  // the test's side
  open(protocol = "wsr.v1") {
    this.protocol = protocol;
    this.onopen?.({});
  }
  frame(bytes) {
    this.onmessage?.({ data: typeof bytes === "string" ? bytes : bytes.slice().buffer });
  }
  end(code = 1006) {
    this.onclose?.({ code });
  }
  /** The frames sent, decoded by type byte: [type, ...rest] as hex strings. */
  get frames() {
    return this.sent.map((frame) => (typeof frame === "string" ? frame : hex(frame)));
  }
}

/** A Storage backed by a Map, logging writes of the token into FakeSocket.log. */
export const memoryStorage = () => {
  const map = new Map();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      if (k.endsWith("s")) FakeSocket.log?.push("store identity " + v.slice(32, 34));
      map.set(k, String(v));
    },
    removeItem: (k) => map.delete(k),
  };
};

/** Lets pending promise callbacks run (no timers involved). */
export const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
