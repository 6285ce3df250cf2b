// Compiles only if the public types read as documented (npm test runs tsc on it).
import { connect, type ReliableMessageEvent } from "../../dist/index.js";
const client = await connect("ws://x", {});
client.addEventListener("message", (event) => { const d: string | Uint8Array = event.data; console.log(d, event.seq); });
client.addEventListener("disconnected", (event) => console.log(event.code, event.unacked));
client.addEventListener("sessionlost", (event) => console.log(event.failed?.length));
for await (const m of client) { const x: string | Uint8Array = m; }
export {};
