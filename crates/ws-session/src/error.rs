//! [`Error`]: what the server and client API return when they cannot do what was asked.

use crate::protocol::SessionId;
use tokio_tungstenite::tungstenite::Message;

/// An operation of [`SessionServer`](crate::server::SessionServer) or
/// `ws-reliability`'s `ReliableClient` that did not happen. Every variant that
/// refused a message hands it back.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum Error {
    /// No session with this id (never existed, expired, or closed), or the session of a
    /// [`SessionSink`](crate::server::SessionSink) or a waiting `send_wait` ended.
    #[error("unknown session {session}")]
    UnknownSession {
        /// The session asked for.
        session: SessionId,
        /// The message that was not queued.
        message: Message,
    },
    /// [`SessionServer::sink`](crate::server::SessionServer::sink) was asked for a
    /// session that does not exist (never existed, expired, or closed). Nothing was
    /// refused: no message to hand back.
    #[error("no session {session}")]
    SessionNotFound {
        /// The session asked for.
        session: SessionId,
    },
    /// A flush to a session kept in a store (`ServerConfig::sessions.store`) could not wait for the
    /// store's commit: the session moved to another node or ended first. The messages are
    /// queued; whether they survive a crash of this process is not known.
    #[error("session {session} ended or moved before the store committed what was flushed")]
    NotDurable {
        /// The session.
        session: SessionId,
    },
    /// `start_send` on a [`SessionSink`](crate::server::SessionSink) whose one-slot buffer
    /// still holds a message: `poll_ready` (or `SinkExt::feed`/`send`) was not awaited
    /// first, as the `Sink` contract asks.
    #[error("sink of {session} not ready: its slot still holds a message")]
    NotReady {
        /// The sink's session.
        session: SessionId,
        /// The refused message.
        message: Message,
    },
    /// The session's outbox holds its maximum of unacknowledged messages (a slow consumer):
    /// the message is refused, never dropped; retry later or shed load.
    #[error("outbox of {session} full ({capacity} messages)")]
    OutboxFull {
        /// The session.
        session: SessionId,
        /// The outbox capacity.
        capacity: usize,
        /// The refused message.
        message: Message,
    },
    /// The server's byte budget over all session outboxes (`ServerConfig::sessions.budget`) is spent
    /// and no detached session was left to expire for room: the message is refused, never
    /// dropped; retry once clients ack, or shed load.
    #[error("outbox budget of {budget} bytes over all sessions spent (session {session})")]
    BudgetExceeded {
        /// The session the message was for.
        session: SessionId,
        /// The budget, `max_outbox_bytes`.
        budget: usize,
        /// The refused message.
        message: Message,
    },
    /// The session store failed to take a message for a session another node runs
    /// ([`SessionServer::post`](crate::server::SessionServer::post)): nothing was posted.
    #[error("session store failed to post to {session}: {source}")]
    Store {
        /// The session the message was for.
        session: SessionId,
        /// What the store answered.
        #[source]
        source: ws_store::StoreError,
        /// The refused message.
        message: Message,
    },
    /// The message is larger than `max_payload`.
    #[error("message of {size} bytes exceeds max_payload {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: u64,
        /// The refused message.
        message: Message,
    },
    /// Only text and binary messages carry application data.
    #[error("only text and binary messages can be sent")]
    NotData {
        /// The refused message.
        message: Message,
    },
    /// [`Session::close`](crate::server::Session::close) was given a close code an
    /// application may not send (only 1000, 1008, 1011 and 4100 to 4999): nothing was closed.
    #[error("close code {code} is not one an application may send")]
    InvalidCloseCode {
        /// The refused code.
        code: u16,
    },
    /// Binding or accepting on a socket failed.
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
    /// The client has stopped, or the connection ended during the handshake.
    #[error("client stopped")]
    Stopped,
    /// The WebSocket handshake or the wsr.v1 greeting failed.
    #[error("handshake failed: {0}")]
    Handshake(String),
    /// The server refused the HELLO with a close instead of WELCOME: 1008 when the
    /// authentication hook refused (with its reason), 1013 when it is at a limit.
    #[error("refused with {code}: {reason}")]
    Refused {
        /// The close code.
        code: u16,
        /// The server's reason.
        reason: String,
    },
    /// `ReliableClient::connect` (`ws-reliability`) got no session
    /// within its first-connect limit (`timeouts.first_connect`): the client is stopped.
    #[error("no session after {attempts} failed attempts{}", last.as_ref().map(|last| format!(", the last: {last}")).unwrap_or_default())]
    FirstConnect {
        /// Attempts that failed before it gave up (fewer when the time ran out first).
        attempts: u32,
        /// The last attempt's failure, if one failed.
        last: Option<String>,
    },
    /// The server answered SESSION_LOST: the next attempt starts a fresh session.
    #[error("session lost: {0}")]
    SessionLost(crate::protocol::SessionLostReason),
    /// A TLS handshake failed (feature `tls`): e.g. [`TlsError::UnknownIssuer`](ws_conn::tls::TlsError::UnknownIssuer).
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[error(transparent)]
    Tls(#[from] ws_conn::tls::TlsError),
    /// TLS could not be set up (feature `tls`): a PEM file, a key, the roots.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[error(transparent)]
    TlsConfig(#[from] ws_conn::tls::TlsConfigError),
}

impl Error {
    /// The refused message, if this error holds one.
    pub fn into_message(self) -> Option<Message> {
        match self {
            Error::UnknownSession { message, .. }
            | Error::OutboxFull { message, .. }
            | Error::BudgetExceeded { message, .. }
            | Error::Store { message, .. }
            | Error::NotReady { message, .. } => Some(message),
            other => other.invalid_message(),
        }
    }

    /// The message refused for what it is (not data, too large), if this error is such a
    /// refusal.
    fn invalid_message(self) -> Option<Message> {
        match self {
            Error::TooLarge { message, .. } | Error::NotData { message } => Some(message),
            _ => None,
        }
    }

    /// A short label for this error, as used in metrics: the variant's name in snake case
    /// (`outbox_full`, `too_large`, `first_connect`, ...).
    pub fn label(&self) -> &'static str {
        self.into()
    }

    /// A dial's failure: a failed TLS handshake typed ([`Error::Tls`], feature `tls`), any
    /// other an [`Error::Io`].
    #[doc(hidden)] // `ws-reliability`'s connector types its dials' failures with it
    pub fn dialed(error: std::io::Error) -> Error {
        #[cfg(feature = "tls")]
        let error = match ws_conn::tls::TlsError::from_io(error) {
            Ok(tls) => return Error::Tls(tls),
            Err(error) => error,
        };
        Error::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_the_variant_in_snake_case() {
        let session = SessionId::from_bytes([1; 16]);
        let full = Error::OutboxFull { session, capacity: 1, message: Message::text("m") };
        assert_eq!(full.label(), "outbox_full");
        assert_eq!(Error::Io(std::io::ErrorKind::Other.into()).label(), "io");
        assert_eq!(Error::FirstConnect { attempts: 1, last: None }.label(), "first_connect");
        assert_eq!(Error::Stopped.label(), "stopped");
        assert_eq!(Error::SessionNotFound { session }.label(), "session_not_found");
        assert_eq!(Error::NotDurable { session }.label(), "not_durable");
        let over = Error::BudgetExceeded { session, budget: 1, message: Message::text("m") };
        assert_eq!(over.label(), "budget_exceeded");
        assert_eq!(over.into_message(), Some(Message::text("m")));
    }
}
