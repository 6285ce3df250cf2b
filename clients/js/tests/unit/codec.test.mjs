// docs/protocol.md § 2 and § 11, byte by byte, over the compiled package.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as c from "../../dist/codec.js";

const hex = (text) => Uint8Array.from(text.split(/\s+/).filter(Boolean), (b) => parseInt(b, 16));
const seqBytes = (from) => Array.from({ length: 16 }, (_, i) => from + i);
const SESSION = Uint8Array.from(seqBytes(0x00));
const TOKEN_A = Uint8Array.from(seqBytes(0xa0));
const TOKEN_B = Uint8Array.from(seqBytes(0xb0));
const varint = (n) => {
  const out = [];
  c.putVarint(out, n);
  return out;
};

test("[M2.3] varints are written minimal: § 2's examples", () => {
  assert.deepEqual(varint(0), [0x00]);
  assert.deepEqual(varint(127), [0x7f]);
  assert.deepEqual(varint(128), [0x80, 0x01]);
  assert.deepEqual(varint(300), [0xac, 0x02]);
  assert.deepEqual(varint(1_048_576), [0x80, 0x80, 0x40]);
  assert.deepEqual(varint(2 ** 53 - 1), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
});

test("[M2.4] varints decode back, every length up to 2^53 - 1; any u64 up to 2^64 - 1 (10 bytes) is valid", () => {
  for (const n of [0, 1, 127, 128, 16383, 16384, 2097151, 2 ** 32, 2 ** 53 - 1]) {
    const frame = c.decode(Uint8Array.from([0x06, ...varint(n)]));
    assert.deepEqual(frame, { t: c.ACK, seq: n });
  }
  assert.equal(c.decode(hex("06 80 80 80 80 80 80 80 10")).seq, 2 ** 53, "2^53 (8 bytes)");
  assert.equal(c.decode(hex("06 ff ff ff ff ff ff ff ff ff 01")).seq, 2 ** 64, "2^64 - 1, as the nearest Number");
});

test("[M2.4] non-minimal, truncated, past 10 bytes, or a 10th byte other than 01: protocol errors", () => {
  const ten = "06 ff ff ff ff ff ff ff ff ff";
  for (const bad of ["06 80 00", "06 ff 00", "06 80", "06", `${ten} 00`, `${ten} 02`, `${ten} 81 00`, `${ten} 7f`]) {
    assert.throws(() => c.decode(hex(bad)), c.ProtocolError, bad);
  }
});

test("[M3.1] § 11 HELLO, fresh, no credentials and with BATCH: mode 00 or 02, reserved bits 0", () => {
  assert.deepEqual(c.encodeHello(new Uint8Array(), undefined, undefined, 0, false), hex("01 00"));
  assert.deepEqual(c.encodeHello(new Uint8Array()), hex("01 02"));
});

const WELCOME_FRESH = `02 00 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af 00 80 80 40 80 08 c0 a9 07`;
const WELCOME_RESUMED = `02 01 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf ac 02 80 80 40 80 08 c0 a9 07`;
const limits = { maxPayload: 1_048_576, maxUnacked: 1024, resumeWindowMs: 120_000 };

test("§ 11 WELCOME, fresh (43 bytes)", () => {
  const bytes = hex(WELCOME_FRESH);
  assert.equal(bytes.length, 43);
  assert.deepEqual(c.decode(bytes), { t: c.WELCOME, resumed: false, batch: false, session: SESSION, token: TOKEN_A, last: 0, ...limits });
});

test("§ 11 DATA text seq 1 'hi' and binary seq 300", () => {
  assert.deepEqual(c.encodeData(1, "hi"), hex("04 01 68 69"));
  assert.deepEqual(c.decode(hex("04 01 68 69")), { t: c.BATCH, seq: 1, items: ["hi"] });
  const binary = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual(c.encodeData(300, binary), hex("05 ac 02 de ad be ef"));
  assert.deepEqual(c.decode(hex("05 ac 02 de ad be ef")), { t: c.BATCH, seq: 300, items: [binary] });
});

test("[M3.8] § 11 BATCH seq 301 'hi' then 302 de ad (11 bytes); a BATCH the client did not announce is an unknown type", () => {
  const bytes = hex("08 ad 02 04 02 68 69 05 02 de ad");
  assert.equal(bytes.length, 11);
  assert.deepEqual(c.decode(bytes), { t: c.BATCH, seq: 301, items: ["hi", Uint8Array.from([0xde, 0xad])] });
  assert.throws(() => c.decode(bytes, false), c.ProtocolError, "BATCH not announced");
});

test("§ 11 ACK 300", () => {
  assert.deepEqual(c.encodeAck(300), hex("06 ac 02"));
  assert.deepEqual(c.decode(hex("06 ac 02")), { t: c.ACK, seq: 300 });
  assert.deepEqual(c.encodeAck(0), hex("06 00"));
});

test("§ 11 HELLO, resume from 1 (35 bytes)", () => {
  const bytes = c.encodeHello(new Uint8Array(), SESSION, TOKEN_A, 1, false);
  assert.equal(bytes.length, 35);
  assert.deepEqual(bytes, hex("01 01 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af 01"));
});

test("§ 11 WELCOME, resumed (44 bytes)", () => {
  const bytes = hex(WELCOME_RESUMED);
  assert.equal(bytes.length, 44);
  assert.deepEqual(c.decode(bytes), { t: c.WELCOME, resumed: true, batch: false, session: SESSION, token: TOKEN_B, last: 300, ...limits });
});

test("§ 11 SESSION_LOST token replayed and ERROR 4001", () => {
  assert.deepEqual(c.decode(hex("03 04")), { t: c.SESSION_LOST, reason: 4 });
  const error = hex("07 0f a1 75 6e 61 63 6b 65 64 20 6c 69 6d 69 74");
  assert.deepEqual(c.encodeError(4001, "unacked limit"), error);
  assert.deepEqual(c.decode(error), { t: c.ERROR, code: 4001, reason: "unacked limit" });
});

test("HELLO carries auth as its rest", () => {
  const auth = new TextEncoder().encode("bearer x");
  assert.deepEqual(c.encodeHello(auth, undefined, undefined, 0, true), Uint8Array.from([1, 2, ...auth]));
});

test("[M2.2] [M2.5] [M3.2] [M3.6] [M3.9] malformed frames are protocol errors (4004)", () => {
  const bad = {
    "empty message": "",
    "reserved type 0": "00",
    "reserved type 9": "09 00",
    "HELLO from the server": "01 00",
    "DATA seq 0": "04 00 68",
    "invalid UTF-8 text": "04 01 ff",
    "WELCOME reserved flag": WELCOME_FRESH.replace(/^02 00/, "02 04"),
    "WELCOME short": WELCOME_FRESH.slice(0, -3),
    "WELCOME extra byte": WELCOME_FRESH + " 00",
    "ACK extra byte": "06 01 00",
    "SESSION_LOST extra byte": "03 01 00",
    "BATCH without entry": "08 01",
    "BATCH entry kind": "08 01 06 00",
    "BATCH entry past the end": "08 01 04 05 68",
    "BATCH seq 0": "08 00 04 00",
    "ERROR invalid UTF-8": "07 0f a1 ff",
  };
  for (const [name, bytes] of Object.entries(bad)) {
    assert.throws(() => c.decode(hex(bytes)), (error) => error instanceof c.ProtocolError && error.code === 4004, name);
  }
});

test("[M3.10] [M6.5] a DATA payload or a BATCH entry above max_payload is refused with 4005 (a browser's 1009)", () => {
  const tooBig = (error) => error instanceof c.ProtocolError && error.code === 4005;
  assert.deepEqual(c.decode(hex("04 01 61 62 63 64"), true, 4).items, ["abcd"], "4 bytes: at the limit");
  assert.throws(() => c.decode(hex("04 01 61 62 63 64 65"), true, 4), tooBig, "DATA of 5 bytes, its message within max_payload + 11");
  assert.throws(() => c.decode(hex("05 01 00 00 00 00 00"), true, 4), tooBig, "binary DATA of 5 bytes");
  assert.throws(() => c.decode(hex("08 01 04 01 61 05 05 00 00 00 00 00"), true, 4), tooBig, "a BATCH's second entry of 5 bytes");
  assert.throws(() => c.decode(hex("04 01 c3 a9 c3 a9 c3"), true, 4), tooBig, "text counts its UTF-8 bytes");
});

test("[M3.11] a BATCH of more entries than max_unacked is refused with 4001, decoding stopped there", () => {
  const pastWindow = (error) => error instanceof c.ProtocolError && error.code === 4001;
  assert.equal(c.decode(hex("08 01 05 00 05 00"), true, Infinity, 2).items.length, 2, "two entries fit a window of two");
  assert.throws(() => c.decode(hex("08 01 05 00 05 00 05 00"), true, Infinity, 2), pastWindow, "three do not");
  assert.throws(() => c.decode(hex("08 01 05 00 05 00 ff"), true, Infinity, 2), pastWindow, "refused before the broken third entry is read");
});

test("BATCH entries may be empty payloads", () => {
  assert.deepEqual(c.decode(hex("08 05 04 00 05 00")), { t: c.BATCH, seq: 5, items: ["", new Uint8Array()] });
});
