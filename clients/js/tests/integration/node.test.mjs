// The client in Node 20 (the `ws` package as its WebSocket) against the real ReliableServer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { connect, ReliableClient, ReliableError } from "../../dist/index.js";
import { startServer, waitFor } from "./server.mjs";

let server;
before(async () => (server = await startServer({ WSR_KILL_RATE: "0.04", WSR_SEED: "7" })));
after(async () => server?.stop());

const memoryStorage = () => {
  const map = new Map();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)), removeItem: (k) => map.delete(k) };
};

/** Sends 1..count as text with at most `inFlight` unacknowledged; collects the echoes. */
const echoRun = async (client, count, inFlight = 100) => {
  const received = [];
  client.addEventListener("message", (event) => received.push(event.data));
  const pending = new Set();
  for (let i = 1; i <= count; i++) {
    const sent = client.send(String(i)).finally(() => pending.delete(sent));
    pending.add(sent);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  await waitFor(`${count} echoes (have ${received.length})`, () => received.length >= count);
  return received;
};

const inOrder = (received, count) => assert.deepEqual(received, Array.from({ length: count }, (_, i) => String(i + 1)));

/** The `ws` WebSocket, counting the frame types it receives. */
const frameTypes = {};
class CountingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", ({ data }) => {
      const type = typeof data === "string" ? "text" : new Uint8Array(data)[0];
      frameTypes[type] = (frameTypes[type] ?? 0) + 1;
    });
  }
}

test("[M3.8] connect, send resolves on ack, echoes arrive in order (the server packs them in BATCH frames: the client announced it)", async () => {
  const client = await connect(server.ws, { WebSocket: CountingWebSocket });
  assert.match(client.session, /^[0-9a-f]{32}$/);
  inOrder(await echoRun(client, 2000), 2000);
  console.log(`# frame types received: ${JSON.stringify(frameTypes)}`);
  assert.ok(frameTypes[8] > 0, "BATCH frames (0x08) arrived and were decoded");
  assert.ok(frameTypes[6] > 0, "ACK frames (0x06) arrived");
  client.close();
  await assert.rejects(client.send("late"), (error) => error instanceof ReliableError && error.code === "closed");
});

test("binary messages round-trip as bytes; large ones as DATA frames; the async iterator delivers in order", async () => {
  const client = await connect(server.ws, { WebSocket: CountingWebSocket });
  const iterator = client[Symbol.asyncIterator]();
  const large = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
  await client.send(Uint8Array.from([0xde, 0xad, 0xbe, 0xef]));
  await client.send(large);
  await client.send("after");
  assert.deepEqual((await iterator.next()).value, Uint8Array.from([0xde, 0xad, 0xbe, 0xef]));
  assert.deepEqual((await iterator.next()).value, large);
  assert.ok(frameTypes[5] > 0, "a binary DATA frame (0x05) arrived");
  assert.equal((await iterator.next()).value, "after");
  await iterator.return();
  client.close();
});

test("[M7.1] [M7.9] under abrupt connection kills: exactly once and in order both ways, with resends", async () => {
  const client = await connect(server.ws, { WebSocket, backoffMin: 20, backoffMax: 200 });
  let drops = 0;
  client.addEventListener("disconnected", (event) => event.unacked > 0 && drops++);
  const killsBefore = (await server.stats()).kills;
  await server.faults(true);
  try {
    inOrder(await echoRun(client, 5000), 5000);
  } finally {
    await server.faults(false);
  }
  const stats = await server.stats();
  console.log(`# node under faults: ${stats.kills - killsBefore} kills, ${client.stats.resumes} resumes, ${client.stats.resent} resent, ${client.stats.duplicates} duplicates dropped, ${drops} drops with unacked`);
  assert.ok(client.stats.resumes >= 3, `resumes: ${client.stats.resumes}`);
  assert.ok(client.stats.resent > 0, "the client resent unacked messages");
  assert.equal(stats.out_of_order, 0, "the server saw every message in order");
  client.close();
});

test("[M3.4] a resume the server cannot honour: SESSION_LOST reports the unconfirmed messages failed, then a fresh session", async () => {
  const storage = memoryStorage();
  const key = "k:";
  storage.setItem(key + "s", "ab".repeat(32)); // a session the server never issued
  storage.setItem(key + "n", "3");
  storage.setItem(key + "o1", "tone");
  storage.setItem(key + "o2", "ttwo");
  const lost = [];
  const client = new ReliableClient(server.ws, { WebSocket, storage, storageKey: key });
  client.addEventListener("sessionlost", (event) => lost.push(event));
  await client.ready;
  assert.equal(lost.length, 1);
  assert.equal(lost[0].reason, 1, "SESSION_LOST 01: unknown session");
  assert.deepEqual(lost[0].failed, ["one", "two"]);
  assert.notEqual(client.session, "ab".repeat(16));
  assert.equal(storage.getItem(key + "o1"), null, "the failed messages left the storage");
  inOrder(await echoRun(client, 10), 10);
  client.close();
});

test("connect() rejects with connect_failed when nothing listens", async () => {
  const error = await connect("ws://127.0.0.1:9/", { WebSocket, connectAttempts: 2, backoffMin: 1, backoffMax: 5 }).catch((e) => e);
  assert.ok(error instanceof ReliableError, String(error));
  assert.equal(error.code, "connect_failed");
});
