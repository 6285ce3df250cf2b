//! The server's session layer: [`SessionServer`], every session of a wsr.v1 server, with an
//! outbox per session (ws-batch), connections registered in a ws-conn [`Registry`], resume,
//! limits, a byte budget, session events and, with a session store, the write-ahead journal
//! (`durable/`). It is fed WebSocket connections: a byte stream to upgrade
//! ([`SessionServer::serve_stream`]) or a socket upgraded elsewhere
//! ([`SessionServer::serve_upgraded`]); `ws-reliability` adds the TCP accept loop (its trait
//! `Listen`: `listen`, `listen_tls`) and the axum adapter around it. The wire protocol is
//! `docs/protocol.md`.
//!
//! Per connection: admission and registration in the ws-conn [`Registry`] (heartbeat pings,
//! ghosts swept), a ws-batch outbox per session with ack confirmation whose DATA frames carry
//! the sequence number, incoming DATA deduplicated and delivered in order exactly once and
//! acked in batches. When a connection ends, its unacked messages are requeued and the
//! session waits for a resume during the resume window; the token is checked in constant
//! time, rotated, a replay detected, and the authentication hook runs again. A refused
//! resume gets SESSION_LOST and is counted. Legacy clients (no `wsr.v1`) get plain
//! messages, confirmed when flushed, and their session ends with the connection.
//!
//! A server that is a hub rather than a handler per session sends by session id
//! ([`SessionServer::send`], [`SessionServer::broadcast`], [`SessionServer::sink`]) and
//! reads every session's messages from one stream ([`IncomingMode::Shared`],
//! [`SessionServer::incoming`]); the ids come with [`SessionServer::events`].
//!
//! **When an outbox is full** (`max_unacked` messages not yet acked: a slow or gone
//! consumer), [`SessionServer::send`] refuses the message with [`Error::OutboxFull`] and
//! hands it back; nothing is dropped and memory stays bounded. Retry later, shed load, or
//! close the session; or wait for room with [`SessionServer::send_wait`], or with a
//! [`SessionSink`] ([`SessionServer::sink`]): a `futures::Sink<Message>` to one session
//! whose `poll_ready` pends while its outbox is full, and which skips the session lookup
//! `send` and `send_wait` make per message.

use crate::auth;
mod backlog;
mod budget;
mod config;
mod confirm;
mod connection;
pub(crate) mod durable;
mod event;
mod fanout;
mod handshake;
#[cfg(feature = "monitor")]
mod health;
pub(crate) mod hello;
mod incoming;
mod notifier;
mod session;
mod sessions;
mod sink;
mod switches;
mod value;
mod wait;

pub use auth::{AuthHook, AuthRequest, Identity, Refusal};
pub use budget::Budget;
pub use config::{IncomingConfig, ServerConfig, ServerTimeouts, SessionsConfig};
pub use durable::{Delivery, StoreConfig, DEFAULT_LEASE, DEFAULT_MAX_INBOX, DEFAULT_NOTICE_POLL};
pub use event::SessionEvent;
pub use fanout::{BroadcastReport, Target};
#[doc(hidden)] // for `ws-reliability`'s axum adapter
pub use handshake::origin_check;
pub use incoming::{Incoming, IncomingMode, SessionIncoming};
pub use sink::{SessionSink, SINK_BUFFER};
pub use value::{Received, Session};

use crate::error::Error;
use crate::protocol::SessionId;
use crate::rollout::Outcomes;
use crate::session_link::{lock, DeliverRx, DeliverTx, Stored};
use session::SessionState;
use sessions::Sessions;
use std::sync::{Arc, Mutex};
use switches::Upkeep;
use tokio_tungstenite::tungstenite::Message;
use ws_conn::Registry;

/// The sessions of a WebSocket server that loses no message: see the [module docs](self).
/// `ws_reliability::server::ReliableServer` is this type, its accept loop the facade's
/// `Listen` trait.
///
/// Cheap to clone: clones share the sessions, the registry and the streams.
#[derive(Debug, Clone)]
pub struct SessionServer {
    inner: Arc<Inner>,
}

struct Inner {
    config: ServerConfig,
    registry: Registry,
    upkeep: Upkeep,
    sessions: Sessions,
    notifier: notifier::Notifier,
    channels: Channels,
    backlog: backlog::Backlog,
    auth: AuthHook,
}

/// What the server lends every link: the channel delivered messages go through (and its
/// receiving end until it is taken), and the limits, one copy for all.
struct Channels {
    deliver: DeliverTx,
    incoming: Mutex<Option<DeliverRx>>,
    limits: Arc<crate::protocol::Limits>,
}

impl Channels {
    fn new(config: &ServerConfig) -> Self {
        let (deliver, incoming) = crate::session_link::delivery_channel(config.incoming.buffer);
        let limits = Arc::new(config.limits);
        Channels { deliver, incoming: Mutex::new(Some(incoming)), limits }
    }
}

impl Inner {
    fn new(config: ServerConfig, auth: AuthHook) -> Self {
        let registry = Registry::new(config.conn.clone());
        let channels = Channels::new(&config);
        let notifier = notifier::Notifier::new(&config);
        let upkeep = Upkeep::new(&registry, &config.rollout);
        let sessions = Sessions::new(&config.sessions);
        let backlog = backlog::Backlog::new(config.incoming.backlog);
        Inner { config, registry, upkeep, sessions, notifier, channels, backlog, auth }
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.debug_struct("SessionServer").field("sessions", &self.sessions.len()).finish()
    }
}

impl SessionServer {
    /// A server that lets every client in.
    pub fn new(config: ServerConfig) -> Self {
        Self::with_auth(config, auth::allow_all())
    }

    /// A server whose `hook` decides every HELLO, fresh and resume alike.
    pub fn with_auth(config: ServerConfig, hook: AuthHook) -> Self {
        SessionServer { inner: Arc::new(Inner::new(config, hook)) }
    }

    /// Queues `message` for `session`; returns its sequence number. A full outbox refuses
    /// it ([`Error::OutboxFull`], the message handed back), and so does a spent server-wide
    /// byte budget once no detached session is left to expire for room
    /// ([`Error::BudgetExceeded`], [`Budget`]): nothing is ever dropped.
    pub fn send(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let found = self.inner.sessions.get(&session);
        let target =
            found.ok_or_else(|| Error::UnknownSession { session, message: message.clone() });
        let queued = target.and_then(|target| self.push(&target, message));
        queued.inspect_err(|error| crate::metrics::send_refused(error.label()))
    }

    fn push(&self, session: &SessionState, message: Message) -> Result<u64, Error> {
        let payload = self.budgeted(session, message)?;
        let pushed = session.outbox.push(payload).map_err(|error| push_refused(session, error));
        switches::record_batch(self.rollout(), session, Outcomes::one(pushed.is_ok()));
        pushed.inspect(|seq| session.pushed(*seq))
    }

    fn payload(&self, message: Message) -> Result<Stored, Error> {
        crate::session_link::checked_payload(message, self.inner.config.limits.max_payload)
    }

    /// The stream of every message delivered by every session, as `(session, message)`,
    /// each exactly once and in order per session, with [`IncomingMode::Shared`]. `None`
    /// after the first call, and in the other modes (see [`accept`](Self::accept) and
    /// [`incoming_of`](Self::incoming_of)).
    pub fn incoming(&self) -> Option<Incoming> {
        if self.inner.config.incoming.mode != IncomingMode::Shared {
            return None;
        }
        lock(&self.inner.channels.incoming).take().map(Incoming::new)
    }

    /// The stream of the messages `session` delivers, exactly once and in order, with
    /// [`IncomingMode::PerSession`] (take it when [`SessionEvent::Opened`] arrives: what the
    /// session delivers meanwhile waits in it). `None` in the shared mode, for an unknown or
    /// ended session, and after the first call for a session.
    pub fn incoming_of(&self, session: SessionId) -> Option<SessionIncoming> {
        if self.inner.config.incoming.mode != IncomingMode::PerSession {
            return None;
        }
        let session = self.inner.sessions.get(&session)?;
        session.take_incoming().map(SessionIncoming::new)
    }

    /// The next session a client opened, as a value to hold: a `Stream` of its messages
    /// and a `Sink` to its client ([`Session`]); `None` once the server shut down. Like
    /// `TcpListener::accept`, in a loop:
    ///
    /// ```no_run
    /// # async fn run(server: ws_session::server::SessionServer) {
    /// while let Some(session) = server.accept().await {
    ///     tokio::spawn(async move { /* read and write `session` */ drop(session) });
    /// }
    /// # }
    /// ```
    ///
    /// With [`IncomingMode::Accept`] (the default). Sessions wait here, at most
    /// `incoming.backlog` of them (past it new sessions are refused with 1013); a resume
    /// continues the session already accepted. In the other modes nothing arrives here.
    pub async fn accept(&self) -> Option<Session> {
        loop {
            let state = self.inner.backlog.next().await?;
            if let Some(session) = Session::new(self, state) {
                return Some(session);
            }
        }
    }

    /// Every session event from now on; a subscriber that falls behind gets
    /// [`SessionEvent::Lagged`], never a silent gap.
    pub fn events(&self) -> crate::events::Events<SessionEvent> {
        self.inner.notifier.subscribe()
    }

    /// The events about `session` only (and `Lagged`), from now on.
    pub(crate) fn session_events(&self, session: SessionId) -> crate::events::Events<SessionEvent> {
        self.inner.notifier.subscribe_to(session)
    }

    /// The ids of every live session (attached or within its resume window).
    pub fn sessions(&self) -> Vec<SessionId> {
        self.inner.sessions.ids()
    }

    /// The bytes every session's outbox holds now (one atomic load): what
    /// `sessions.budget.max_outbox_bytes` bounds, the gauge `ws_reliability_outbox_bytes`.
    pub fn outbox_bytes(&self) -> usize {
        self.inner.sessions.outbox_bytes()
    }

    /// How many messages `session` holds unacknowledged, if it exists.
    pub fn unacked(&self, session: SessionId) -> Option<usize> {
        self.inner.sessions.get(&session).map(|session| session.outbox.stats().len())
    }

    /// The connection registry (ws-conn): its counts, events and ghost sweeping.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Refuses new connections, closes every open one with 1001 (going away: clients
    /// resume elsewhere or later) and force-closes what is left after `grace`. Sessions
    /// stay resumable for their window; [`accept`](Self::accept) yields `None` from now on.
    pub async fn shutdown(&self, grace: std::time::Duration) -> ws_conn::ShutdownReport {
        self.inner.backlog.stop();
        self.inner.registry.shutdown(grace).await
    }

    /// Whether the heartbeat and the ghost sweeper run now (the `conn` switch is on and a
    /// first connection started them).
    pub fn is_sweeping(&self) -> bool {
        self.inner.upkeep.is_running()
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The runtime switches and rollback guards (the same handle as `config().rollout`).
    pub fn rollout(&self) -> &crate::rollout::Rollout {
        &self.inner.config.rollout
    }

    /// On the first connection: the upkeep following the `conn` switch, and the journal's
    /// tasks when the server keeps a store.
    fn ensure_started(&self) {
        if self.inner.upkeep.start() {
            self.start_journal();
        }
    }

    fn emit(&self, event: SessionEvent) {
        self.inner.notifier.emit(event);
    }
}

fn push_refused(session: &SessionState, error: ws_batch::OutboxError<Stored>) -> Error {
    match error {
        ws_batch::OutboxError::Closed { message } => wait::ended(session, message.into_message()),
        full => crate::session_link::outbox_full(session.id, full),
    }
}
