// Takes docs/chat.png: the chat example (cargo run --example chat) in headless Chromium, two
// tabs talking, one of them reloaded mid-conversation. Build the example first. CI runs it
// as the demo's smoke test, writing to CHAT_SCREENSHOT instead of the committed picture.
import { spawn } from "node:child_process";
import path from "node:path";
import { chromium } from "playwright-core";
import { packageRoot, waitFor } from "../tests/integration/server.mjs";

const target = process.env.CARGO_TARGET_DIR ?? path.resolve(packageRoot, "../../target");
const port = process.env.CHAT_PORT ?? "18080";
const chat = spawn(path.join(target, "debug/examples/chat"), [], { env: { ...process.env, CHAT_PORT: port }, stdio: ["ignore", "pipe", "inherit"] });
let out = "";
chat.stdout.on("data", (chunk) => (out += chunk));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"] });
try {
  await waitFor("the chat's address", () => out.includes("open http://"), 30_000);
  const context = await browser.newContext({ viewport: { width: 700, height: 560 } });
  const [alice, bob] = [await context.newPage(), await context.newPage()];
  const say = async (page, name, text) => {
    await page.fill("#name", name);
    await page.fill("#text", text);
    await page.click("input[type=submit]");
  };
  for (const page of [alice, bob]) {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector("#status.up");
  }
  await say(alice, "alice", "hi bob, is the reliable path on?");
  await say(bob, "bob", "yes: wsr.v1, acked and resumable");
  await alice.reload();
  await alice.waitForSelector("#status.up");
  await say(alice, "alice", "I just reloaded this tab and kept my session");
  await say(bob, "bob", "and nothing arrived twice");
  await waitFor("four messages on alice's page", async () => (await alice.locator("#log li").count()) >= 4, 10_000);
  await waitFor("bob's last message on alice's page", async () => (await alice.textContent("#log")).includes("nothing arrived twice"), 10_000);
  const shot = process.env.CHAT_SCREENSHOT ?? path.join(packageRoot, "docs/chat.png");
  await alice.screenshot({ path: shot });
  console.log(`wrote ${shot}`);
} finally {
  await browser.close();
  chat.kill();
}
