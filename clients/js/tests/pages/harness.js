// Runs inside headless Chromium, served by js_test_server over http://127.0.0.1. Every count
// is taken inside the page; the runner (tests/browser/chromium.test.mjs) reads window.result.
// ?mode=faults|reload|hold &ws=ws://... &count=N
import { connect } from "/dist/wsr-client.min.js";

const params = new URLSearchParams(location.search);
const url = params.get("ws");
const count = Number(params.get("count") ?? 10000);
const inFlight = Number(params.get("inflight") ?? 200);
const status = (text) => (document.getElementById("status").textContent = text);
const options = { backoffMin: 10, backoffMax: 200 };

/** Sends `next()` ... while it returns a number, keeping at most `inFlight` sends pending. */
const pump = async (client, next) => {
  const pending = new Set();
  for (let i = next(); i !== undefined; i = next()) {
    const sent = client.send(String(i)).finally(() => pending.delete(sent));
    pending.add(sent);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
};

/**
 * count messages each way over a server that kills connections abruptly; more (up to 5 x
 * count) until at least `mindrops` connections died with unacknowledged messages.
 */
const faults = async () => {
  const minDrops = Number(params.get("mindrops") ?? 0);
  const client = await connect(url, options);
  const seen = { expected: 1, errors: 0, drops: 0, dropsWithUnacked: 0, codes: {} };
  let done;
  const all = new Promise((resolve) => (done = resolve));
  client.addEventListener("message", ({ data }) => {
    if (data !== String(seen.expected)) seen.errors++;
    seen.expected++;
    if (sending === false && seen.expected > sent) done();
  });
  client.addEventListener("disconnected", ({ code, unacked }) => {
    seen.drops++;
    if (unacked > 0) seen.dropsWithUnacked++;
    seen.codes[code] = (seen.codes[code] ?? 0) + 1;
  });
  await fetch("/faults/on");
  let sent = 0;
  let sending = true;
  await pump(client, () => (sent < count || (seen.dropsWithUnacked < minDrops && sent < 5 * count) ? ++sent : undefined));
  sending = false;
  if (seen.expected > sent) done();
  await all;
  await fetch("/faults/off");
  window.result = { ...seen, sent, received: seen.expected - 1, stats: client.stats, session: client.session };
  client.close();
};

/** Reloads itself mid-stream (at each of `at`) with unacked messages both ways. */
const reload = async () => {
  const store = sessionStorage;
  const get = (key) => JSON.parse(store.getItem("app:" + key) ?? "null");
  const set = (key, value) => store.setItem("app:" + key, JSON.stringify(value));
  const at = (params.get("at") ?? "500,1500").split(",").map(Number);
  const killAt = Number(params.get("killat") ?? 0);
  const loads = get("loads") ?? [];
  // location.reload() is asynchronous: messages keep coming (and are counted) until the new
  // document takes over, so a page that started leaving starts no second reload or kill.
  let leaving = false;
  await fetch("/faults/off");
  const client = await connect(url, { ...options, storage: true });
  loads.push({ session: client.session, resumes: client.stats.resumes, connections: client.stats.connections, restored: client.stats.restored, resent: client.stats.resent });
  set("loads", loads);
  client.addEventListener("message", ({ data }) => {
    const recv = get("recv") ?? 0;
    if (data !== String(recv + 1)) set("errors", (get("errors") ?? 0) + 1);
    set("recv", recv + 1);
    const reloads = get("reloads") ?? [];
    if (!leaving && reloads.length < at.length && recv + 1 >= at[reloads.length] && client.unacked > 0 && client.unackedIncoming > 0) {
      leaving = true;
      reloads.push({ recv: recv + 1, sent: get("sent"), unackedOut: client.unacked, unackedIn: client.unackedIncoming });
      set("reloads", reloads);
      location.reload(); // takes effect after this task: the state above is already stored
    }
    // exactly one kill, on the next read or write of any connection: not by chance. A stale
    // connection of an earlier load may take it, so it is armed again every 100 messages
    // until this page's own connection died (arming again while armed changes nothing).
    if (!leaving && reloads.length === at.length && killAt && recv + 1 >= killAt && !get("killed") && (!get("killing") || (recv + 1) % 100 === 0)) {
      set("killing", true);
      fetch("/faults/kill-next");
    }
    if (recv + 1 === count) finish();
  });
  // a reload while disconnected, with messages sent since that never reached the server
  client.addEventListener("disconnected", () => {
    if (leaving || !get("killing") || get("killed")) return;
    leaving = true;
    const reloads = get("reloads");
    const down = [];
    for (let i = 0; i < 10 && (get("sent") ?? 0) < count; i++) {
      const next = get("sent") + 1;
      set("sent", next);
      down.push(client.send(String(next)).catch(() => {}));
    }
    reloads.push({ recv: get("recv"), sent: get("sent"), unackedOut: client.unacked, unackedIn: client.unackedIncoming, sentWhileDown: down.length });
    set("reloads", reloads);
    set("killed", true);
    location.reload();
  });
  const finish = () => {
    window.result = { recv: get("recv"), errors: get("errors") ?? 0, loads: get("loads"), reloads: get("reloads"), stats: client.stats };
    status("done");
  };
  await pump(client, () => {
    const next = (get("sent") ?? 0) + 1;
    if (next > count) return undefined;
    set("sent", next); // in the same task as the client's own write of the message
    return next;
  });
};

/** Opens a session with storage and keeps it (for the duplicated-tab test). */
const hold = async () => {
  const client = await connect(url, { ...options, storage: true, lockWaitMs: 300 });
  const received = [];
  client.addEventListener("message", ({ data }) => received.push(data));
  window.client = client;
  window.echo = async (text) => {
    await client.send(text);
    const deadline = Date.now() + 10_000;
    while (!received.includes(text)) {
      if (Date.now() > deadline) throw new Error("no echo of " + text);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  };
  let replaced = false;
  client.addEventListener("error", ({ error }) => (replaced ||= error.code === "replaced"));
  window.result = { session: client.session, stats: client.stats, replaced: () => replaced };
  status("ready");
};

/** Online/offline awareness: no reconnect attempt while offline, one at once when online. */
const offline = async () => {
  const client = await connect(url, { deadLinkMs: 2000, backoffMin: 60_000, backoffMax: 60_000 });
  const events = [];
  for (const type of ["disconnected", "resumed", "connected", "sessionlost"]) {
    client.addEventListener(type, () => events.push({ type, onLine: navigator.onLine, connections: client.stats.connections }));
  }
  const echoes = [];
  client.addEventListener("message", ({ data }) => echoes.push(data));
  let sent = 0;
  const sends = [];
  // sends until the connection dies (a kill, or the dead-link rule when frames stop)
  window.sendUntilDown = async () => {
    while (!events.some((event) => event.type === "disconnected") && sent < 2000) {
      sends.push(client.send(String(++sent)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return sent;
  };
  window.result = { ready: true };
  window.state = () => ({ events, sent, echoes: echoes.slice(), stats: client.stats });
  window.allAcked = () => Promise.all(sends).then(() => true);
  status("ready");
};

/** A server restart: the resume gets SESSION_LOST; every send is acked or reported failed. */
const restart = async () => {
  const client = await connect(url, options);
  const outcomes = new Map();
  const lost = [];
  const events = [];
  const echoes = [];
  const oldSession = client.session;
  client.addEventListener("message", ({ data }) => echoes.push(data));
  client.addEventListener("sessionlost", ({ reason, failed }) => lost.push({ reason, failed }));
  for (const type of ["disconnected", "connected", "resumed", "sessionlost"]) {
    client.addEventListener(type, ({ code }) => events.push(code ? `${type} ${code}` : type));
  }
  let sending = false;
  let n = 0;
  window.startSending = async () => {
    sending = true;
    while (sending) {
      const text = String(++n);
      outcomes.set(text, "pending");
      client.send(text).then(() => outcomes.set(text, "acked"), (error) => outcomes.set(text, error.code));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  };
  window.stopSending = () => (sending = false);
  window.state = () => {
    const counts = {};
    for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
    const rejected = [...outcomes].filter(([, outcome]) => outcome === "session_lost").map(([text]) => text);
    return { counts, rejected, lost, events, sent: n, echoes: echoes.length, oldSession, session: client.session };
  };
  window.result = { ready: true };
  status("ready");
};

const modes = { faults, reload, hold, offline, restart };
modes[params.get("mode")]().catch((error) => {
  window.result = { failure: String(error && error.stack ? error.stack : error) };
  status("failed");
});
