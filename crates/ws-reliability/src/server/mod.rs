//! [`ReliableServer`]: wsr.v1 over tokio-tungstenite, with an outbox per session (ws-batch),
//! connection lifecycle and ghost sweeping (ws-conn), resume, limits and session events.
//!
//! Needs the `batch` and `conn` features. The wire protocol is `docs/protocol.md`.
//!
//! ```
//! use futures::{SinkExt, StreamExt};
//! use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
//! use ws_reliability::server::{Listen, ReliableServer, Session, ServerConfig};
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
//! its outbox, resume, limits, the byte budget, events and the session store.
//! [`ReliableServer`] is the same type under the facade's name; the facade adds its accept
//! loop as the [`Listen`] trait ([`listen`](Listen::listen), `listen_tls`).
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
//! close the session; or wait for room with [`SessionServer::send_wait`], or with a
//! [`SessionSink`] ([`SessionServer::sink`]).

mod accept;
mod transport;

pub use accept::{Listen, Listener, LISTEN_BACKLOG};
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

/// A WebSocket server that loses no message: ws-session's [`SessionServer`] under the
/// facade's name, with its accept loop from the [`Listen`] trait (`listen`, `listen_tls`).
/// See the [module docs](self).
///
/// A type alias rather than a newtype (`docs/ARCHITECTURE.md`, "Where the design
/// changed"): every method of `SessionServer` is a method of `ReliableServer`, and an
/// intra-doc link such as [`ReliableServer::send`] resolves.
///
/// Cheap to clone: clones share the sessions, the registry and the streams.
pub type ReliableServer = SessionServer;
