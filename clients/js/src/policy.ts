/**
 * Every timing and close-code rule of docs/protocol.md the client follows, in one table, so
 * that a change in the document is a change here only.
 */

/** What the client does when its connection closes with a given code (§ 8). */
export type Reaction =
  /** Resume the session after a backoff (1001, 1002, 1006, 1009, 1011, 4001, 4002, unknown). */
  | "resume"
  /** Resume after a longer backoff (1013: the server is at its connection limit). */
  | "slow"
  /** The session is gone (4000 after SESSION_LOST): start a fresh one now. */
  | "fresh"
  /** Orderly end of the session (1000): do not resume. */
  | "stop"
  /** Authentication refused (1008): do not resume. */
  | "auth"
  /** Another connection resumed this session (4003): do not resume. */
  | "replaced";

const REACTIONS: Record<number, Reaction> = {
  1000: "stop",
  1008: "auth",
  1013: "slow",
  4000: "fresh",
  4003: "replaced",
};

/** The reaction to close `code`; any code the table does not name resumes (the server decides). */
export const reaction = (code: number): Reaction => REACTIONS[code] ?? "resume";

/** The close code a browser sends for a protocol error (it may not send 1002, § 8). */
export const CLOSE_PROTOCOL = 4004;
/** The close code a browser sends for a message too big (it may not send 1009, § 8). */
export const CLOSE_TOO_BIG = 4005;
/**
 * The close code the client sends when it gives up on a silent link (§ 7 names none; any
 * code but 1000 keeps the session resumable).
 */
export const CLOSE_DEAD_LINK = 4006;
/** The close code of `client.close()`: the session ends on the server too. */
export const CLOSE_NORMAL = 1000;

/** The server sends a frame at least this often (§ 7). */
export const KEEPALIVE_MS = 15_000;
/** Silence after which the client treats its connection as dead: three keepalives (§ 7). */
export const DEAD_LINK_MS = 3 * KEEPALIVE_MS;
/** T of the ack schedule: the longest an ack waits after the oldest unacked DATA (§ 6). */
export const ACK_DELAY_MS = 100;

/**
 * K of the ack schedule: an ack after every K DATA frames, K = min(64, max_unacked / 2)
 * (§ 6), at least 1 (a max_unacked of 0 or 1 would otherwise never ack by count).
 */
export const ackEvery = (maxUnacked: number): number =>
  Math.max(1, Math.min(64, Math.floor(maxUnacked / 2)));

/** The sender's window: at least 1, so that a max_unacked of 0 cannot stall the session. */
export const windowOf = (maxUnacked: number): number => Math.max(1, maxUnacked);

/** Backoff: full jitter, `min * 2^attempt` capped at `max` (§ 7); 1013 starts 3 steps later. */
export const backoff = (attempt: number, min: number, max: number): number =>
  Math.random() * Math.min(max, min * 2 ** Math.min(attempt, 30));
/** Extra backoff steps for "slow" (1013). */
export const SLOW_STEPS = 3;
