// Starts the workspace's js_test_server example (a ReliableServer under the fault injector)
// and hands its addresses to the tests. Build it first: cargo build -p ws-reliability
// --example js_test_server --features full (ci.sh does).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const packageRoot = path.resolve(here, "../..");
const workspace = path.resolve(packageRoot, "../..");

export const serverBinary = () => {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(workspace, "target");
  const binary = process.env.WSR_TEST_SERVER ?? path.join(target, "debug/examples/js_test_server");
  if (!existsSync(binary)) throw new Error(`no test server at ${binary}: cargo build -p ws-reliability --example js_test_server --features full`);
  return binary;
};

/** Waits for `condition()` to hold, polling every `every` ms; fails after `ms` naming `what`. */
export const waitFor = async (what, condition, ms = 30_000, every = 20) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
};

/** Starts a server; `env` sets WSR_KILL_RATE, WSR_SEED. Resolves with its addresses. */
export const startServer = async (env = {}) => {
  const child = spawn(serverBinary(), [], {
    env: { ...process.env, WSR_ROOT: packageRoot, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const line = await waitFor("the test server's address line", () => (child.exitCode !== null ? Promise.reject(new Error("test server exited")) : /http=(\S+) ws=(\S+)/.exec(out)), 30_000);
  const http = `http://${line[1]}`;
  const get = async (route) => (await fetch(http + route)).json();
  return {
    http,
    ws: `ws://${line[2]}/`,
    faults: (on) => get(on ? "/faults/on" : "/faults/off"),
    stats: () => get("/stats"),
    stop: async () => {
      child.kill();
      await exited;
    },
  };
};
