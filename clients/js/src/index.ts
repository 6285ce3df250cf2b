/**
 * @ws-reliability/client: a wsr.v1 client (docs/protocol.md) for browsers and Node ≥ 20.
 * Every message exactly once and in order, across reconnects and, opt-in, page reloads.
 */
export { connect, ReliableClient } from "./client.js";
export type {
  Auth,
  ClientStats,
  ConnectOptions,
  ReliableClientEventMap,
  ReliableEvent,
  ReliableMessageEvent,
  WebSocketConstructor,
  WebSocketLike,
} from "./client.js";
export type { Payload } from "./codec.js";
export { ReliableError, type ErrorCode } from "./errors.js";
export type { StorageLike } from "./store.js";
