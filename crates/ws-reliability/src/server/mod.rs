//! [`ReliableServer`]: wsr.v1 over tokio-tungstenite, with an outbox per session (ws-batch),
//! connection lifecycle and ghost sweeping (ws-conn), resume, limits and session events.
//!
//! Needs the `batch` and `conn` features. The wire protocol is `docs/protocol.md`.
//!
//! ```
//! use futures::{SinkExt, StreamExt};
//! use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
//! use ws_reliability::server::{ReliableServer, Session, ServerConfig};
//! use ws_reliability::Message;
//!
//! /// One session, held like a socket: echo what its client sends, with its sequence number.
//! async fn handle(mut session: Session) {
//!     while let Some(received) = session.next().await {
//!         let reply = format!("{} #{}", received.message.to_text().unwrap_or("?"), received.seq);
//!         if session.send(Message::text(reply)).await.is_err() {
//!             return; // the session ended: the error hands the message back
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = ReliableServer::new(ServerConfig::default());
//! let listener = server.listen("127.0.0.1:0").await?;
//! let acceptor = server.clone();
//! tokio::spawn(async move {
//!     while let Some(session) = acceptor.accept().await {
//!         tokio::spawn(handle(session));
//!     }
//! });
//!
//! let url = format!("ws://{}/", listener.local_addr());
//! let client = ReliableClient::connect(&url, ClientConfig::default()).await?; // once welcomed
//! let mut from_server = client.incoming().ok_or("taken")?;
//! client.send(Message::text("hi"))?; // buffered while disconnected, resent after a resume
//! assert_eq!(from_server.next().await, Some(Message::text("hi #1")));
//! # Ok(())
//! # }
//! ```
//!
//! The sessions are ws-session's [`SessionServer`] (`ws_session::server`): every session,
//! its outbox, resume, limits, the byte budget, events and the session store; a
//! `ReliableServer` is one with its accept loop ([`listen`](ReliableServer::listen),
//! `listen_tls`), and every method of `SessionServer` is a method of `ReliableServer`.
//!
//! Per connection: admission and registration in the ws-conn [`Registry`](ws_conn::Registry) (heartbeat pings,
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
//! consumer), [`SessionServer::send`] refuses the message with [`Error::OutboxFull`](crate::Error::OutboxFull) and
//! hands it back; nothing is dropped and memory stays bounded. Retry later, shed load, or

mod accept;
mod transport;

pub use accept::{Listener, LISTEN_BACKLOG};
#[cfg(feature = "axum")]
pub(crate) use ws_session::auth::Upgrade;
#[cfg(feature = "axum")]
pub(crate) use ws_session::server::origin_check;
pub use ws_session::server::{
    AuthHook, AuthRequest, BroadcastReport, Budget, Delivery, Identity, Incoming, IncomingConfig,
    IncomingMode, Received, Refusal, ServerConfig, ServerTimeouts, Session, SessionEvent,
    SessionIncoming, SessionServer, SessionSink, SessionsConfig, StoreConfig, Target,
    DEFAULT_LEASE, DEFAULT_MAX_INBOX, DEFAULT_NOTICE_POLL, SINK_BUFFER,
};

/// A WebSocket server that loses no message: its sessions, a [`SessionServer`] whose every
/// method it offers (through `Deref`), and its own accept loop. See the [module docs](self).
///
/// Cheap to clone: clones share the sessions, the registry and the streams.
#[derive(Debug, Clone)]
pub struct ReliableServer {
    sessions: SessionServer,
}

impl ReliableServer {
    /// A server that lets every client in.
    pub fn new(config: ServerConfig) -> Self {
        Self::from(SessionServer::new(config))
    }

    /// A server whose `hook` decides every HELLO, fresh and resume alike.
    pub fn with_auth(config: ServerConfig, hook: AuthHook) -> Self {
        Self::from(SessionServer::with_auth(config, hook))
    }
}

impl From<SessionServer> for ReliableServer {
    fn from(sessions: SessionServer) -> Self {
        ReliableServer { sessions }
    }
}

/// The sessions: `send`, `accept`, `events`, `serve_stream`, ... (see [`SessionServer`]).
impl std::ops::Deref for ReliableServer {
    type Target = SessionServer;

    fn deref(&self) -> &SessionServer {
        &self.sessions
    }
}
