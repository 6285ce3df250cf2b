/** Why a send failed or a client could not connect: `error.code` says which. */
export type ErrorCode =
  /** The outgoing buffer is full (`maxBuffered` messages wait unacknowledged). */
  | "buffer_full"
  /** The payload is larger than the server's max_payload. */
  | "too_large"
  /** The server lost the session (SESSION_LOST): the message was not confirmed. */
  | "session_lost"
  /** The client was closed, or the server ended the session (close 1000). */
  | "closed"
  /** The server refused the credentials (close 1008). */
  | "auth_refused"
  /** Another connection (another page or tab) resumed this session (close 4003). */
  | "replaced"
  /** `connect()` gave up after `connectAttempts` connections without a session. */
  | "connect_failed"
  /** The server broke the protocol (reported as an `error` event; the client resumes). */
  | "protocol";

/** The one error type of the package. */
export class ReliableError extends Error {
  override name = "ReliableError";
  constructor(
    readonly code: ErrorCode,
    message: string = code.replace("_", " "),
  ) {
    super(message);
  }
}
