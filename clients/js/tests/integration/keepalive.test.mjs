// The server's keepalive ([M7.10]) and the client's dead-link rule ([M7.11]) against the real
// ReliableServer, at test speed: the server's interval comes from WSR_KEEPALIVE_MS, the
// client's dead-link time from its `deadLinkMs` option. An idle period is measured by the
// keepalives that arrived, never by sleeping; every wait is bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { connect } from "../../dist/index.js";
import { startServer, waitFor } from "./server.mjs";

/** The `ws` WebSocket, recording the ACK frames each socket received and the codes it was closed with. */
const recording = () => {
  const log = { acks: 0, closes: [] };
  class RecordingWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", ({ data }) => typeof data !== "string" && new Uint8Array(data)[0] === 0x06 && log.acks++);
    }
    close(code, reason) {
      if (!this.closedWith) log.closes.push((this.closedWith = code)); // ws calls close() again to answer the server's close frame
      super.close(code, reason);
    }
  }
  return { log, WebSocket: RecordingWebSocket };
};

/** Records the client's `disconnected`, `resumed` and `sessionlost` events. */
const events = (client) => {
  const seen = [];
  for (const type of ["disconnected", "resumed", "sessionlost"]) {
    client.addEventListener(type, (event) => seen.push(event.code ? `${type} ${event.code}` : type));
  }
  return seen;
};

/** `promise`, or a failure naming `what` after `ms`. */
const within = (promise, ms, what) => {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

/** Sends `text`; resolves once the server acked it and its echo arrived (bounded). */
const echo = (client, text) => {
  const echoed = new Promise((resolve) => client.addEventListener("message", (event) => event.data === text && resolve()));
  return within(Promise.all([client.send(text), echoed]), 10_000, `the echo of ${text}`);
};

// The dead-link time is 10 keepalive intervals here (the rule's 3 would let a scheduling stall
// of 200 ms on a loaded CI machine flake the test); the idle period spans three of them.
test("[M7.10] [M7.11] an idle link stays up on the server's keepalive: 30 keepalive ACKs (100 ms apart) against a 1 s dead-link time, no close, no reconnect", async () => {
  const server = await startServer({ WSR_KEEPALIVE_MS: "100" });
  try {
    const { log, WebSocket } = recording();
    const client = await connect(server.ws, { WebSocket, deadLinkMs: 1000 });
    try {
      const seen = events(client);
      await waitFor("30 keepalive ACKs", () => log.acks >= 30, 15_000);
      console.log(`# idle with keepalive: ${log.acks} keepalive ACKs, ${client.stats.connections} connection(s), events ${JSON.stringify(seen)}`);
      assert.equal(client.stats.connections, 1, "no reconnect");
      assert.deepEqual(seen, [], "no disconnect, no resume");
      assert.deepEqual(log.closes, [], "the client closed nothing");
      assert.equal(client.connected, true);
      await echo(client, "still here");
    } finally {
      client.close(); // a failed test must not leave a client reconnecting (the process would not exit)
    }
  } finally {
    await server.stop();
  }
});

test("[M7.11] [M8.2] without the server's keepalive, an idle link is dead after deadLinkMs: the client closes it with 4006 and resumes the same session", async () => {
  const server = await startServer({ WSR_KEEPALIVE_MS: "3600000" });
  try {
    const { log, WebSocket } = recording();
    const client = await connect(server.ws, { WebSocket, deadLinkMs: 450, backoffMin: 10, backoffMax: 50 });
    try {
      const session = client.session;
      const seen = events(client);
      await waitFor(`a resume after the dead link (events ${JSON.stringify(seen)})`, () => client.stats.resumes >= 1, 15_000);
      console.log(`# idle without keepalive: closes ${JSON.stringify(log.closes)}, events ${JSON.stringify(seen)}`);
      assert.equal(log.closes[0], 4006, "the dead link is closed with 4006");
      assert.deepEqual(seen.slice(0, 2), ["disconnected 4006", "resumed"]);
      assert.equal(client.session, session, "the server kept the session resumable");
      assert.equal(client.stats.sessionsLost, 0);
      await echo(client, "after the resume");
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
  }
});
