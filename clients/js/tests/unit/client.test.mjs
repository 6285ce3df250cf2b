// The client state machine against a scripted socket (tests/unit/fake.mjs), with mocked timers:
// every outcome follows from frames and ticks, none from sleeping.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { ReliableClient, ReliableError } from "../../dist/index.js";
import { FakeSocket, server, memoryStorage, settle, SESSION, TOKEN_A, TOKEN_B, hex } from "./fake.mjs";

const S = hex(SESSION);
const A = hex(TOKEN_A);
const B = hex(TOKEN_B);

beforeEach(() => {
  FakeSocket.all = [];
  FakeSocket.log = undefined;
  mock.timers.enable({ apis: ["setTimeout"] });
});
afterEach(() => mock.timers.reset());

/** A client welcomed on its first socket. */
const welcomed = async (options = {}, welcome = {}) => {
  const client = new ReliableClient("ws://test/", { WebSocket: FakeSocket, backoffMin: 100, backoffMax: 1000, ...options });
  await settle();
  FakeSocket.last.open();
  await settle();
  FakeSocket.last.frame(server.welcome(welcome));
  await client.ready;
  return client;
};

const failsWith = (code) => (error) => error instanceof ReliableError && error.code === code;

test("[M3.1] [M4.1] offers wsr.v1, binaryType arraybuffer; HELLO first, once: fresh with the BATCH bit (reserved bits 0) and auth", async () => {
  const client = new ReliableClient("ws://test/", { WebSocket: FakeSocket, auth: "tok", protocols: ["chat"] });
  await settle();
  const ws = FakeSocket.last;
  assert.deepEqual(ws.protocols, ["chat", "wsr.v1"]);
  assert.equal(ws.binaryType, "arraybuffer");
  ws.open();
  await settle();
  assert.deepEqual(ws.frames, ["01 02 74 6f 6b"]);
  client.close();
});

test("[M5.1] [M6.2] [M3.8] send resolves on the cumulative ACK; stale ACKs ignored; ACK beyond sent closes with 4004; DATA numbered from 1, never BATCH", async () => {
  const client = await welcomed();
  const ws = FakeSocket.last;
  const sends = [client.send("a"), client.send("b")];
  assert.deepEqual(ws.frames.slice(1), ["04 01 61", "04 02 62"]);
  ws.frame(server.ack(2));
  await Promise.all(sends);
  ws.frame(server.ack(1)); // stale
  assert.equal(ws.closedWith, undefined);
  ws.frame(server.ack(3)); // beyond sent
  assert.equal(ws.closedWith, 4004);
  client.close();
});

test("[M6.3] window: no DATA beyond highest ACK + max_unacked", async () => {
  const client = await welcomed({}, { maxUnacked: 2 });
  const ws = FakeSocket.last;
  const sends = [1, 2, 3].map((i) => client.send(String(i)));
  assert.equal(ws.frames.length, 1 + 2);
  ws.frame(server.ack(1));
  assert.deepEqual(ws.frames.slice(-1), ["04 03 33"]);
  ws.frame(server.ack(3));
  await Promise.all(sends);
  client.close();
});

test("[M6.1] ack schedule: after max(1, min(64, max_unacked/2)) DATA (sooner than K), or T = 100 ms after the oldest", async () => {
  const client = await welcomed({}, { maxUnacked: 8 }); // K = 4
  client.addEventListener("message", () => {});
  await settle();
  const ws = FakeSocket.last;
  for (let seq = 1; seq <= 4; seq++) ws.frame(server.data(seq, "x"));
  assert.deepEqual(ws.frames.slice(1), ["06 04"]);
  ws.frame(server.data(5, "x"));
  mock.timers.tick(99);
  assert.equal(ws.frames.length, 2);
  mock.timers.tick(1);
  assert.deepEqual(ws.frames.slice(2), ["06 05"]);
  client.close();
});

test("[M5.2] in order, duplicates dropped (and counted toward the ack), a gap closes with 4004", async () => {
  const client = await welcomed();
  const got = [];
  client.addEventListener("message", (event) => got.push([event.seq, event.data]));
  await settle();
  const ws = FakeSocket.last;
  ws.frame(server.data(1, "a"));
  ws.frame(server.data(1, "a"));
  ws.frame(Uint8Array.from([8, 2, 4, 1, 0x62, 5, 1, 0x63])); // BATCH 2 "b", 3 <63>
  assert.deepEqual(got, [[1, "a"], [2, "b"], [3, Uint8Array.from([0x63])]]);
  assert.equal(client.stats.duplicates, 1);
  ws.frame(server.data(5, "gap"));
  assert.equal(ws.closedWith, 4004);
  assert.equal(got.length, 3);
  client.close();
});

test("messages wait for a listener: none is delivered (or acked) to nobody", async () => {
  const client = await welcomed();
  const ws = FakeSocket.last;
  ws.frame(server.data(1, "early"));
  mock.timers.tick(1000);
  assert.equal(ws.frames.length, 1, "no ACK before the application took it");
  const got = [];
  client.addEventListener("message", (event) => got.push(event.data));
  await settle();
  assert.deepEqual(got, ["early"]);
  mock.timers.tick(100);
  assert.deepEqual(ws.frames.slice(1), ["06 01"]);
  client.close();
});

test("the async iterator: a message counts delivered when the loop pulls the next one", async () => {
  const client = await welcomed();
  const ws = FakeSocket.last;
  const iterator = client[Symbol.asyncIterator]();
  ws.frame(server.data(1, "a"));
  ws.frame(server.data(2, "b"));
  await settle();
  assert.equal((await iterator.next()).value, "a");
  mock.timers.tick(100);
  assert.equal(ws.frames.length, 1, "1 is not delivered until the next pull");
  assert.equal((await iterator.next()).value, "b");
  mock.timers.tick(100);
  assert.deepEqual(ws.frames.slice(1), ["06 01"]);
  await iterator.return();
  mock.timers.tick(100);
  assert.deepEqual(ws.frames.slice(2), ["06 02"]);
  client.close();
});

test("[M7.1] [M7.9] resume: HELLO with session, token and last; unacked ≤ WELCOME last dropped, the rest resent after an ACK; new token stored before anything confirms it", async () => {
  FakeSocket.log = [];
  const storage = memoryStorage();
  const client = await welcomed({ storage });
  client.addEventListener("message", () => {});
  await settle();
  const first = FakeSocket.last;
  first.frame(server.data(1, "x"));
  const sends = ["a", "b", "c"].map((text) => client.send(text));
  first.end(1006);
  assert.equal(client.connected, false);
  mock.timers.tick(1000);
  const second = FakeSocket.last;
  assert.notEqual(second, first);
  second.open();
  await settle();
  assert.deepEqual(second.frames, [`01 03 ${S} ${A} 01`]);
  FakeSocket.log = [];
  second.frame(server.welcome({ resumed: true, token: TOKEN_B, last: 1 }));
  await sends[0];
  assert.deepEqual(second.frames.slice(1), ["06 01", "04 02 62", "04 03 63"]);
  assert.deepEqual(FakeSocket.log.slice(0, 2), ["store identity b0", "send 06"], "the token is stored before the ACK confirms it");
  assert.equal(client.stats.resent, 2);
  second.frame(server.ack(3));
  await Promise.all(sends);
  client.close();
});

test("§ 7 pending token: a WELCOME lost with its connection leaves the presented token in use", async () => {
  const client = await welcomed();
  FakeSocket.last.end(1006);
  mock.timers.tick(1000);
  FakeSocket.last.open();
  await settle();
  FakeSocket.last.end(1006); // died before the WELCOME arrived
  mock.timers.tick(1000);
  FakeSocket.last.open();
  await settle();
  assert.deepEqual(FakeSocket.last.frames, [`01 03 ${S} ${A} 00`]);
  client.close();
});

test("[M3.4] SESSION_LOST: every unconfirmed send fails, the event lists them, nothing is resent, then a fresh session", async () => {
  const client = await welcomed();
  const lost = [];
  client.addEventListener("sessionlost", (event) => lost.push(event));
  const sends = [client.send("a"), client.send("b")];
  FakeSocket.last.end(1006);
  mock.timers.tick(1000);
  FakeSocket.last.open();
  await settle();
  FakeSocket.last.frame(server.lost(2));
  for (const sent of sends) await assert.rejects(sent, failsWith("session_lost"));
  assert.equal(lost[0].reason, 2);
  assert.deepEqual(lost[0].failed, ["a", "b"]);
  FakeSocket.last.end(4000);
  mock.timers.tick(0);
  FakeSocket.last.open();
  await settle();
  assert.deepEqual(FakeSocket.last.frames, ["01 02"], "a fresh HELLO");
  client.close();
});

for (const [code, error] of [
  [1000, "closed"],
  [1008, "auth_refused"],
  [4003, "replaced"],
]) {
  test(`[M8.1] close ${code}: do not resume; unconfirmed sends fail with ${error}`, async () => {
    const client = await welcomed();
    const sent = client.send("a");
    const sockets = FakeSocket.all.length;
    FakeSocket.last.end(code);
    await assert.rejects(sent, failsWith(error));
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.all.length, sockets, "no new connection");
    await assert.rejects(client.send("b"), failsWith("closed"));
  });
}

for (const code of [1001, 1002, 1006, 1009, 1011, 1013, 4001, 4002, 4004, 4005, 4999]) {
  test(`[M8.1] close ${code}: resume after a backoff`, async () => {
    const client = await welcomed();
    const sockets = FakeSocket.all.length;
    FakeSocket.last.end(code);
    mock.timers.tick(code === 1013 ? 8_000 : 1_000);
    assert.equal(FakeSocket.all.length, sockets + 1);
    FakeSocket.last.open();
    await settle();
    assert.match(FakeSocket.last.frames[0], /^01 03/);
    client.close();
  });
}

test("[M7.1] backoff: full jitter, capped, reset by a WELCOME", async () => {
  const random = mock.method(Math, "random", () => 0.999);
  const client = await welcomed({ backoffMin: 100, backoffMax: 350 });
  const delays = [];
  for (let i = 0; i < 4; i++) {
    const sockets = FakeSocket.all.length;
    FakeSocket.last.end(1006);
    let waited = 0;
    while (FakeSocket.all.length === sockets && waited < 10_000) mock.timers.tick(1), waited++;
    delays.push(waited);
  }
  assert.deepEqual(delays, [100, 200, 350, 350]);
  random.mock.restore();
  client.close();
});

test("[M7.11] dead link: no frame for deadLinkMs (45 s by default) closes the socket with 4006 and resumes", async () => {
  const client = await welcomed();
  const codes = [];
  client.addEventListener("disconnected", (event) => codes.push(event.code));
  const ws = FakeSocket.last;
  mock.timers.tick(30_000);
  ws.frame(server.ack(0)); // a keepalive resets the clock
  mock.timers.tick(44_999);
  assert.equal(ws.closedWith, undefined);
  mock.timers.tick(1);
  assert.equal(ws.closedWith, 4006);
  assert.deepEqual(codes, [4006], "the disconnected event names the code the client closed with");
  mock.timers.tick(1_000);
  assert.notEqual(FakeSocket.last, ws);
  FakeSocket.last.open();
  await settle();
  assert.match(FakeSocket.last.frames[0], /^01 03/, "a resume");
  client.close();
});

test("offline: no reconnect until the online event (or backoffMax, in case the browser is wrong)", async () => {
  const win = new EventTarget();
  globalThis.addEventListener = win.addEventListener.bind(win);
  globalThis.removeEventListener = win.removeEventListener.bind(win);
  const navigator = { onLine: true };
  Object.defineProperty(globalThis, "navigator", { value: navigator, configurable: true });
  try {
    const client = await welcomed();
    const sockets = FakeSocket.all.length;
    navigator.onLine = false;
    FakeSocket.last.end(1006);
    mock.timers.tick(999); // backoffMax is 1000
    assert.equal(FakeSocket.all.length, sockets);
    navigator.onLine = true;
    win.dispatchEvent(new Event("online"));
    assert.equal(FakeSocket.all.length, sockets + 1);
    mock.timers.tick(10_000);
    assert.equal(FakeSocket.all.length, sockets + 1, "the online event cancelled the offline timer");
    navigator.onLine = false;
    FakeSocket.last.end(1006);
    mock.timers.tick(1000);
    assert.equal(FakeSocket.all.length, sockets + 2, "offline for backoffMax: one attempt anyway");
    client.close();
  } finally {
    delete globalThis.addEventListener;
    delete globalThis.removeEventListener;
    delete globalThis.navigator;
  }
});

test("[M6.6] bounded buffer while disconnected: buffer_full; too_large against WELCOME max_payload", async () => {
  const client = await welcomed({ maxBuffered: 2 }, { maxPayload: 4 });
  FakeSocket.last.end(1006);
  const kept = [client.send("a"), client.send("b")];
  await assert.rejects(client.send("c"), failsWith("buffer_full"));
  await assert.rejects(client.send("hello"), failsWith("too_large"));
  client.close();
  for (const sent of kept) await assert.rejects(sent, failsWith("closed"));
});

test("[M8.3] [M2.1] [M4.4] protocol errors close with 4004 (never 1002): a text message, DATA before WELCOME, a second WELCOME", async () => {
  let client = await welcomed();
  FakeSocket.last.frame("text");
  assert.equal(FakeSocket.last.closedWith, 4004);
  client.close();
  client = new ReliableClient("ws://test/", { WebSocket: FakeSocket });
  await settle();
  FakeSocket.last.open();
  await settle();
  FakeSocket.last.frame(server.data(1, "x"));
  assert.equal(FakeSocket.last.closedWith, 4004);
  client.close();
  client = await welcomed();
  FakeSocket.last.frame(server.welcome());
  assert.equal(FakeSocket.last.closedWith, 4004);
  client.close();
});

test("[M1.2] legacy fallback: no wsr.v1 selected, no wsr.v1 frame sent, plain messages, sends resolve when written", async () => {
  const client = new ReliableClient("ws://test/", { WebSocket: FakeSocket });
  const connected = [];
  client.addEventListener("connected", (event) => connected.push(event.legacy));
  await settle();
  FakeSocket.last.open("");
  await client.ready;
  assert.deepEqual(connected, [true]);
  await client.send("plain");
  assert.deepEqual(FakeSocket.last.sent, ["plain"]);
  const got = [];
  client.addEventListener("message", (event) => got.push(event.data));
  await settle();
  FakeSocket.last.frame("hello");
  assert.deepEqual(got, ["hello"]);
  client.close();
});

test("connect limit: connect() rejects with connect_failed after connectAttempts", async () => {
  const client = new ReliableClient("ws://test/", { WebSocket: FakeSocket, connectAttempts: 3, backoffMin: 10, backoffMax: 10 });
  await settle();
  for (let i = 0; i < 3; i++) {
    FakeSocket.last.end(1006);
    mock.timers.tick(10);
  }
  await assert.rejects(client.ready, failsWith("connect_failed"));
  assert.equal(FakeSocket.all.length, 3);
});

test("storage: a reload restores session, token, delivered and unacked, and resumes once", async () => {
  const storage = memoryStorage();
  const client = await welcomed({ storage });
  client.addEventListener("message", () => {});
  await settle();
  FakeSocket.last.frame(server.data(1, "x"));
  FakeSocket.last.frame(server.data(2, "y"));
  client.send("a");
  client.send(Uint8Array.from([1, 2]));
  // the page goes away without closing anything; a new page starts from the same storage
  const next = new ReliableClient("ws://test/", { WebSocket: FakeSocket, storage });
  await settle();
  FakeSocket.last.open();
  await settle();
  assert.deepEqual(FakeSocket.last.frames, [`01 03 ${S} ${A} 02`]);
  FakeSocket.last.frame(server.welcome({ resumed: true, token: TOKEN_B, last: 0 }));
  await next.ready;
  assert.deepEqual(FakeSocket.last.frames.slice(1), ["06 02", "04 01 61", "05 02 01 02"]);
  assert.equal(next.stats.restored, 2);
  assert.equal(next.stats.resumes, 1);
  next.close();
  assert.equal(storage.map.size, 0, "close() forgets the session");
});

test("[M3.7] ERROR is informative: not answered, nothing closed", async () => {
  const client = await welcomed();
  FakeSocket.last.frame(Uint8Array.from([7, 0x0f, 0xa1, 0x78]));
  assert.equal(FakeSocket.last.frames.length, 1);
  assert.equal(FakeSocket.last.closedWith, undefined);
  client.close();
});

test("[M8.3] [M6.5] a message above max_payload + 11 bytes closes with 4005 (a browser may not send 1009), then resumes", async () => {
  const client = await welcomed({}, { maxPayload: 4 });
  const ws = FakeSocket.last;
  ws.frame(server.data(1, "1234")); // 4 bytes: fine
  assert.equal(ws.closedWith, undefined);
  ws.frame(Uint8Array.from([5, 2, ...new Uint8Array(14)])); // 16 bytes > 4 + 11
  assert.equal(ws.closedWith, 4005);
  mock.timers.tick(1000);
  assert.notEqual(FakeSocket.last, ws);
  client.close();
});

test("§ 6 close() sends the pending ack, then closes with 1000", async () => {
  const client = await welcomed();
  client.addEventListener("message", () => {});
  await settle();
  const ws = FakeSocket.last;
  ws.frame(server.data(1, "x"));
  client.close();
  assert.deepEqual(ws.frames.slice(1), ["06 01"]);
  assert.equal(ws.closedWith, 1000);
});

test("auth: a function is asked before every HELLO; one that throws ends the client with auth_refused", async () => {
  let calls = 0;
  const client = await welcomed({ auth: async () => `t${++calls}` });
  FakeSocket.last.end(1006);
  mock.timers.tick(1000);
  FakeSocket.last.open();
  await settle();
  assert.match(FakeSocket.last.frames[0], / 74 32$/, "the second HELLO carries the second token");
  client.close();
  const failing = new ReliableClient("ws://test/", { WebSocket: FakeSocket, auth: () => { throw new Error("no token"); } });
  await settle();
  FakeSocket.last.open();
  await assert.rejects(failing.ready, failsWith("auth_refused"));
  assert.notEqual(FakeSocket.last.closedWith, 1000, "the session is not ended");
});

test("[M5.1] storage full: send rejects with buffer_full and nothing is sent or numbered", async () => {
  const storage = memoryStorage();
  const client = await welcomed({ storage });
  const ws = FakeSocket.last;
  const setItem = storage.setItem;
  storage.setItem = () => {
    throw new Error("QuotaExceededError");
  };
  await assert.rejects(client.send("big"), failsWith("buffer_full"));
  assert.equal(ws.frames.length, 1);
  storage.setItem = setItem;
  const sent = client.send("ok");
  assert.deepEqual(ws.frames.slice(1), ["04 01 6f 6b"], "the next message still gets seq 1");
  ws.frame(server.ack(1));
  await sent;
  client.close();
});

test("[M3.5] an unknown SESSION_LOST reason is a lost session too", async () => {
  const client = await welcomed();
  const lost = [];
  client.addEventListener("sessionlost", (event) => lost.push(event.reason));
  const sent = client.send("a");
  FakeSocket.last.end(1006);
  mock.timers.tick(1000);
  FakeSocket.last.open();
  await settle();
  FakeSocket.last.frame(server.lost(0x7f));
  await assert.rejects(sent, failsWith("session_lost"));
  assert.deepEqual(lost, [0x7f]);
  client.close();
});

test("[M6.5] a DATA payload above max_payload closes with 4005 although its message is within max_payload + 11", async () => {
  const client = await welcomed({}, { maxPayload: 4 });
  client.addEventListener("message", () => {});
  await settle();
  const ws = FakeSocket.last;
  ws.frame(server.data(1, "12345")); // 7 bytes <= 4 + 11, payload 5 > 4
  assert.equal(ws.closedWith, 4005);
  mock.timers.tick(1000);
  FakeSocket.last.open();
  await settle();
  assert.deepEqual(FakeSocket.last.frames, [`01 03 ${S} ${A} 00`], "resumes; the message was not delivered");
  client.close();
});

test("[M6.7] every WELCOME: unacked messages above its max_payload fail (too_large), the rest are renumbered from last_received + 1 before anything is resent", async () => {
  const storage = memoryStorage();
  const client = await welcomed({ storage });
  const first = FakeSocket.last;
  const early = ["a", "b", "c", "d"].map((text) => client.send(text));
  first.frame(server.ack(4));
  await Promise.all(early);
  const big = "x".repeat(20);
  const [five, six, seven] = ["e", big, "g"].map((text) => client.send(text)); // 5, 6, 7 (§ 6's example)
  first.end(1006);
  mock.timers.tick(1000);
  const second = FakeSocket.last;
  second.open();
  await settle();
  second.frame(server.welcome({ resumed: true, token: TOKEN_B, last: 4, maxPayload: 10 }));
  await assert.rejects(six, failsWith("too_large"));
  assert.deepEqual(second.frames.slice(1), ["06 00", "04 05 65", "04 06 67"], "5 as 5, 7 as 6");
  const eight = client.send("h");
  assert.deepEqual(second.frames.slice(-1), ["04 07 68"], "the next new message is 7");
  assert.deepEqual([5, 6, 7, 8].map((seq) => storage.getItem(`wsr:ws://test/:o${seq}`)), ["te", "tg", "th", null], "renumbered in the storage too");
  second.frame(server.ack(7));
  await Promise.all([five, seven, eight]);
  client.close();
});

test("[M6.7] a fresh WELCOME: messages queued before it above its max_payload fail, the rest are numbered from 1", async () => {
  const client = new ReliableClient("ws://test/", { WebSocket: FakeSocket });
  const [small, big] = [client.send("ok"), client.send("too big for 4")];
  await settle();
  FakeSocket.last.open();
  await settle();
  FakeSocket.last.frame(server.welcome({ maxPayload: 4 }));
  await assert.rejects(big, failsWith("too_large"));
  assert.deepEqual(FakeSocket.last.frames.slice(1), ["04 01 6f 6b"]);
  FakeSocket.last.frame(server.ack(1));
  await small;
  client.close();
});
