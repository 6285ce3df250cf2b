// The client in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against the workspace's ReliableServer under fault injection. Every count is taken inside
// the page (tests/pages/harness.js); this runner only reads window.result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { startServer, waitFor } from "../integration/server.mjs";

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let server, context, profile;
before(async () => {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  server = await startServer({ WSR_KILL_RATE: process.env.WSR_KILL_RATE ?? "0.06", WSR_SEED: process.env.WSR_SEED ?? "11" });
  profile = mkdtempSync(path.join(tmpdir(), "wsr-chromium-"));
  context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS });
});
after(async () => {
  await context?.close();
  await server?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens the harness in `mode`; fails on a page error. */
const open = async (mode, query = "", page) => {
  page ??= await context.newPage();
  page.on("pageerror", (error) => console.log(`# page error: ${error}`));
  await page.goto(`${server.http}/tests/pages/harness.html?mode=${mode}&ws=${encodeURIComponent(server.ws)}${query}`);
  return page;
};

/** window.result once the page set it (failing with what was awaited). */
const result = async (page, what, timeout, ready = "window.result") => {
  try {
    await page.waitForFunction(ready, null, { timeout, polling: 100 });
  } catch (error) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what}: ${error.message.split("\n")[0]}`);
  }
  const value = await page.evaluate(() => {
    const { replaced, ...rest } = window.result;
    return rest;
  });
  if (value.failure) throw new Error(`the page failed: ${value.failure}`);
  return value;
};

test("[M5.2] [M7.1] [M7.9] 10 000 messages each way across at least 20 abrupt kills: exactly once, in order, with resends", async () => {
  const before = await server.stats();
  const page = await open("faults", "&count=10000&inflight=200&mindrops=25");
  const seen = await result(page, "10 000 echoes under faults", 240_000);
  const after = await server.stats();
  console.log(
    `# chromium faults: ${seen.sent} sent, ${seen.received} echoes, ${after.kills - before.kills} kills, ${seen.drops} disconnects (${seen.dropsWithUnacked} with unacked), ` +
      `${seen.stats.resumes} resumes, ${seen.stats.resent} resent by the page, ${seen.stats.duplicates} duplicates dropped by the page, codes ${JSON.stringify(seen.codes)}`,
  );
  assert.ok(seen.sent >= 10_000, `${seen.sent} sent`);
  assert.equal(seen.received, seen.sent, "every message echoed");
  assert.equal(seen.errors, 0, "every echo once and in order");
  assert.equal(after.out_of_order, 0, "the server delivered every message in order");
  assert.ok(seen.dropsWithUnacked >= 20, `${seen.dropsWithUnacked} connections died with unacked messages (want >= 20)`);
  assert.ok(seen.stats.resent > 0, "the page resent unacked messages");
  assert.ok(after.kills - before.kills >= 20, "the server side killed >= 20 connections");
  await page.close();
});

test("page reloads mid-stream, unacked both ways: the session resumes exactly once per load, nothing lost or doubled", async () => {
  const page = await open("reload", "&count=4000&inflight=100&at=500,1500&killat=1800");
  const seen = await result(page, "4 000 echoes across three reloads", 120_000, "window.result && window.result.recv === 4000");
  console.log(`# chromium reload: reloads ${JSON.stringify(seen.reloads)}`);
  console.log(`# chromium reload: loads ${JSON.stringify(seen.loads)}`);
  console.log(`# chromium reload: server ${JSON.stringify(await server.stats())}`);
  assert.equal(seen.recv, 4000);
  assert.equal(seen.errors, 0, "every echo once and in order across reloads");
  assert.equal(seen.reloads.length, 3);
  for (const at of seen.reloads.slice(0, 2)) assert.ok(at.unackedOut > 0 && at.unackedIn > 0, `unacked both ways at the reload: ${JSON.stringify(at)}`);
  assert.ok(seen.reloads[2].sentWhileDown > 0, "the third reload happened while disconnected, with unsent messages");
  assert.equal(seen.loads.length, 4);
  // The messages sent while disconnected reach the server once: after the reload (resent),
  // or before it, when the client reconnected while the reload was still starting; which
  // one is timing, so the test checks they were restored and that every echo came once.
  assert.ok(seen.loads[3].restored >= seen.reloads[2].sentWhileDown, "the messages sent while disconnected survived the reload");
  const [first, ...reloaded] = seen.loads;
  assert.equal(first.resumes, 0);
  for (const load of reloaded) {
    assert.equal(load.session, first.session, "the same session after the reload");
    assert.equal(load.resumes, 1, "resumed once");
    assert.equal(load.connections, 1, "on the first connection");
    assert.ok(load.restored > 0, "unacked outgoing messages survived the reload");
  }
  assert.equal((await server.stats()).out_of_order, 0);
  await page.close();
});

test("a duplicated tab (sessionStorage copied) starts a fresh session; the original keeps its own", async () => {
  const original = await open("hold");
  const held = await result(original, "the original page's session", 30_000);
  const stored = await original.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)));
  const copy = await context.newPage();
  await copy.addInitScript((items) => {
    if (!sessionStorage.length) for (const [key, value] of Object.entries(items)) sessionStorage.setItem(key, value);
  }, stored);
  await open("hold", "", copy);
  const duplicate = await result(copy, "the copied page's session", 30_000);
  assert.notEqual(duplicate.session, held.session, "the copy did not resume the original's session");
  assert.equal(duplicate.stats.resumes, 0);
  assert.equal(await original.evaluate(() => window.echo("still mine")), true);
  assert.equal(await copy.evaluate(() => window.echo("mine too")), true);
  assert.equal(await original.evaluate(() => window.result.replaced()), false, "the original was not replaced (4003)");
  await copy.close();
  await original.close();
});

test("offline: no reconnect attempt while navigator.onLine is false, a resume at once on the online event", async () => {
  const page = await open("offline");
  await result(page, "the offline page's session", 30_000);
  await context.setOffline(true);
  await server.faults(true);
  let sent;
  try {
    sent = await page.evaluate(() => window.sendUntilDown());
  } finally {
    await server.faults(false);
  }
  const down = await page.evaluate(() => window.state());
  const drop = down.events.find((event) => event.type === "disconnected");
  assert.ok(drop, `a disconnect after ${sent} sends: ${JSON.stringify(down.events)}`);
  assert.equal(drop.onLine, false);
  await context.setOffline(false);
  // the backoff is 60 s: only the online event can reconnect within the 10 s awaited here
  await page.waitForFunction(() => window.state().events.some((event) => event.type === "resumed"), null, { timeout: 10_000 }).catch(() => {
    throw new Error("timed out after 10 000 ms waiting for the resume after the online event");
  });
  await page.evaluate(() => window.allAcked());
  await page.waitForFunction((count) => window.state().echoes.length >= count, sent, { timeout: 20_000 });
  const after = await page.evaluate(() => window.state());
  assert.equal(after.stats.connections, 2, "one connection while online before, one after: none while offline");
  assert.deepEqual(after.echoes, Array.from({ length: sent }, (_, i) => String(i + 1)));
  await page.close();
});

test("[M3.4] a server restart: the resume gets SESSION_LOST 01, each unconfirmed send fails (and is listed), a fresh session carries on", async () => {
  const first = await startServer({ WSR_KILL_RATE: "0" });
  const ports = { WSR_HTTP_PORT: new URL(first.http).port, WSR_WS_PORT: new URL(first.ws).port };
  let second;
  const page = await context.newPage();
  try {
    await page.goto(`${first.http}/tests/pages/harness.html?mode=restart&ws=${encodeURIComponent(first.ws)}`);
    await result(page, "the restart page's session", 30_000);
    page.evaluate(() => window.startSending()).catch(() => {}); // runs until stopSending
    const state = () => page.evaluate(() => window.state());
    await waitFor("200 acked sends before the restart", async () => (await state()).counts.acked >= 200, 30_000);
    await first.stop();
    second = await startServer({ WSR_KILL_RATE: "0", ...ports });
    await waitFor("a fresh session after SESSION_LOST", async () => /sessionlost,(disconnected 4000,)?connected/.test((await state()).events.join()), 30_000);
    const sentAfter = (await state()).sent;
    const settled = ({ counts }) => (counts.acked ?? 0) + (counts.session_lost ?? 0) + (counts.buffer_full ?? 0);
    await waitFor("20 sends acked in the fresh session", async () => settled(await state()) >= sentAfter + 20, 30_000);
    await page.evaluate(() => window.stopSending());
    await waitFor("every send settled", async () => !(await state()).counts.pending, 30_000);
    const end = await state();
    console.log(`# chromium restart: ${JSON.stringify(end.counts)}, lost ${JSON.stringify(end.lost.map((l) => ({ reason: l.reason, failed: l.failed.length })))}, events ${end.events.join(",")}`);
    assert.equal(end.lost.length, 1);
    assert.match(end.events.join(), /sessionlost,disconnected 4000,connected/, "SESSION_LOST, then close 4000, then a fresh session");
    assert.equal(end.lost[0].reason, 1, "SESSION_LOST 01: the restarted server does not know the session");
    assert.ok(end.lost[0].failed.length > 0, "messages were unconfirmed when the server went away");
    assert.deepEqual(end.lost[0].failed, end.rejected, "the failed list is exactly the sends rejected with session_lost");
    assert.deepEqual(Object.keys(end.counts).sort(), end.counts.buffer_full ? ["acked", "buffer_full", "session_lost"] : ["acked", "session_lost"]);
    assert.notEqual(end.session, end.oldSession);
  } finally {
    await page.close();
    await second?.stop();
    if (first) await first.stop().catch(() => {});
  }
});
