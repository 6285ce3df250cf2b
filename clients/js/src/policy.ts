/**
 * Every timing and close-code rule of docs/protocol.md the client follows, in one table, so
 * that a change in the document is a change here only.
 */

/** What the client does when its connection closes with a given code (§ 8, [M8.1]). */
export type Reaction =
  /** Resume the session after a backoff (1001, 1002, 1006, 1009, 1011, 4001, 4002, 4004-4006, unknown). */
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

/**
 * The reaction to close `code`: no resume after 1000, 1008, 4000 or 4003; a resume after any
 * other code or a connection lost without a close frame (1006) ([M8.1]).
 */
export const reaction = (code: number): Reaction => REACTIONS[code] ?? "resume";

/** The close code a browser sends for a protocol error (it may not send 1002, [M8.3]). */
export const CLOSE_PROTOCOL = 4004;
/** The close code a browser sends for a message too big (it may not send 1009, [M8.3]). */
export const CLOSE_TOO_BIG = 4005;
/** The close code the client sends when it gives up on a silent link ([M7.11]; the session stays resumable). */
export const CLOSE_DEAD_LINK = 4006;
/** The close code of `client.close()`: the session ends on the server too. */
export const CLOSE_NORMAL = 1000;

/** The server sends a frame at least this often ([M7.10]). */
export const KEEPALIVE_MS = 15_000;
/** Silence after which the client treats its connection as dead: three keepalives ([M7.11]). */
export const DEAD_LINK_MS = 3 * KEEPALIVE_MS;
/** T of the ack schedule: the longest an ack waits after the oldest unacked DATA ([M6.1]). */
export const ACK_DELAY_MS = 100;

/** The ack schedule's count: an ack after every max(1, min(64, ⌊max_unacked / 2⌋)) DATA frames, sooner than [M6.1]'s K asks (allowed). */
export const ackEvery = (maxUnacked: number): number =>
  Math.max(1, Math.min(64, Math.floor(maxUnacked / 2)));

/** The sender's window ([M6.3]); a WELCOME's max_unacked is at least 1 (§ 3.2), 0 is taken as 1. */
export const windowOf = (maxUnacked: number): number => Math.max(1, maxUnacked);

/** Backoff: full jitter, `min * 2^attempt` capped at `max` ([M7.1]); 1013 starts 3 steps later (§ 8's SHOULD). */
export const backoff = (attempt: number, min: number, max: number): number =>
  Math.random() * Math.min(max, min * 2 ** Math.min(attempt, 30));
/** Extra backoff steps for "slow" (1013). */
export const SLOW_STEPS = 3;
