//! [`ServerConfig`]: the limits, timeouts and fix-crate settings of a [`SessionServer`](super::SessionServer).

use crate::protocol::{Limits, DEFAULT_HELLO_TIMEOUT, KEEPALIVE_INTERVAL};
use std::time::Duration;
use ws_batch::OutboxConfig;
use ws_conn::ConnConfig;

use super::incoming::IncomingMode;

/// How a [`SessionServer`](super::SessionServer) runs. Start from the default; the
/// settings are grouped by concern, each group with its own `Default`.
///
/// | setting | default | why |
/// |---|---|---|
/// | `limits` | 1 MiB payload, 1024 unacked, 2 min resume window | wsr.v1 defaults (`docs/protocol.md` § 9) |
/// | `timeouts.hello` | 10 s | a socket that never says HELLO is closed with 4002 |
/// | `timeouts.keepalive` | 15 s | a quiet wsr.v1 connection gets an ACK (a no-op) at least this often, so a browser, which cannot see pings, sees the link alive (`docs/protocol.md` § 7: at most 15 s) |
/// | `conn` | ws-conn defaults: 10 000 connections, ping every 20 s, ghost after 60 s; HTTP upgrade within 10 s, 1 024 at once; a browser's `Origin` must be the request's host | `conn.limits.handshake` and `conn.limits.origins` bound what a socket takes before its session (the crate README's limits table) |
/// | `sessions.outbox` | ws-batch defaults but batches of 256 messages, capacity forced to `limits.max_unacked`, and the ack timeout (30 s) reports instead of resending | the outbox never holds more than the peer's window; a batch of a quarter of the window costs one wake-up and one `send` per 256 messages; a client that leaves a message unacked 30 s is a slow consumer, closed with 4001 and kept resumable, and nothing is sent twice on one connection |
/// | `sessions.budget` | 10 000 sessions, 256 MiB over all outboxes | bounds the whole server (each outbox is also bounded on its own: `limits.max_unacked` messages and ws-batch's 4 MiB); past it the oldest detached session expires early, then fresh sessions are refused with 1013 and sends with `Error::BudgetExceeded` ([`Budget`](super::Budget)) |
/// | `sessions.store` | none: sessions live in this process | a [`StoreConfig`](super::StoreConfig) keeps them where a restart or another node finds them (`docs/durability.md`) |
/// | `incoming.buffer` | 1024 | a slow application backpressures the readers, never grows memory |
/// | `incoming.mode` | [`IncomingMode::Accept`] | each session a value from `SessionServer::accept`; `Shared` gives one stream for all sessions (`SessionServer::incoming`), `PerSession` a stream per session id (`SessionServer::incoming_of`) |
/// | `incoming.backlog` | 1024 | sessions opened and not yet accepted; past it new sessions are refused with 1013 |
/// | `rollout` | every fix on, no guard | keep a clone to flip switches at runtime (`docs/rollout.md`) |
///
/// ```
/// use std::time::Duration;
/// use ws_session::server::ServerConfig;
///
/// let mut config = ServerConfig::default();
/// config.timeouts.hello = Duration::from_secs(5);
/// config.sessions.budget.max_sessions = 1_000;
/// config.incoming.buffer = 64;
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The wsr.v1 limits announced in WELCOME and enforced on every connection.
    pub limits: Limits,
    /// How long a connection may take to greet, and how often a quiet one hears from
    /// the server.
    pub timeouts: ServerTimeouts,
    /// The connection registry: heartbeat, ghost sweeping, max connections.
    pub conn: ConnConfig,
    /// What the server keeps of its sessions: each one's outbox, the bound over all of
    /// them, and where they live.
    pub sessions: SessionsConfig,
    /// How delivered messages reach the application.
    pub incoming: IncomingConfig,
    /// The application's callbacks (state sync on open and resume).
    pub hooks: crate::Hooks,
    /// The runtime switches of the fixes (`batch`, `sync`, `conn`, `monitor`) and their
    /// rollback guards: keep a clone to change them while the server runs.
    pub rollout: crate::rollout::Rollout,
}

/// How long a [`SessionServer`](super::SessionServer) waits for a connection, and how long
/// it lets one go quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerTimeouts {
    /// How long a wsr.v1 connection may take to send HELLO (default 10 s).
    pub hello: Duration,
    /// The longest a wsr.v1 connection goes without an ACK from the server: a quiet link
    /// gets its last ACK again (a no-op), the keepalive frame of `docs/protocol.md` § 7.
    /// At most [`KEEPALIVE_INTERVAL`] (15 s, the default), which clients count on.
    pub keepalive: Duration,
}

impl Default for ServerTimeouts {
    fn default() -> Self {
        ServerTimeouts { hello: DEFAULT_HELLO_TIMEOUT, keepalive: KEEPALIVE_INTERVAL }
    }
}

/// What a [`SessionServer`](super::SessionServer) keeps of its sessions: the outbox of
/// each, the budget over all of them, and the store they live in besides this process.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionsConfig {
    /// The per-session outbox (its capacity and confirmation are set by the server).
    pub outbox: OutboxConfig,
    /// The server-wide bounds on sessions and outbox bytes ([`Budget`](super::Budget)).
    pub budget: super::Budget,
    /// Where sessions live besides this process's memory (`None`: only there). With a
    /// store, sessions survive a restart of the process and move between nodes sharing
    /// it (`docs/durability.md`).
    pub store: Option<super::StoreConfig>,
}

impl Default for SessionsConfig {
    fn default() -> Self {
        let outbox = crate::session_link::server_outbox_config();
        SessionsConfig { outbox, budget: super::Budget::default(), store: None }
    }
}

/// How delivered messages reach the application: through one stream or one per session,
/// each holding at most `buffer` messages before the readers pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IncomingConfig {
    /// How many delivered messages wait for the application before readers pause (per
    /// session with [`IncomingMode::PerSession`]).
    pub buffer: usize,
    /// Sessions as values ([`IncomingMode::Accept`]), one stream for every session, or
    /// one per session id.
    pub mode: IncomingMode,
    /// How many opened sessions wait for `accept` ([`IncomingMode::Accept`]); past it new
    /// sessions are refused with 1013.
    pub backlog: usize,
}

impl Default for IncomingConfig {
    fn default() -> Self {
        IncomingConfig { buffer: 1024, mode: IncomingMode::Accept, backlog: 1024 }
    }
}
