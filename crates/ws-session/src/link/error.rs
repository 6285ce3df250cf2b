//! [`PushError`]: a message not pushed into a session's outbox, handed back.

use crate::protocol::SessionId;
use tokio_tungstenite::tungstenite::Message;

/// Why a message was not queued for the peer; each variant hands the message back.
/// `ws-reliability` turns each into its own `Error` variant of the same name, so the enum
/// is exhaustive: a new refusal is a breaking change there too.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The session's outbox holds its maximum of unacknowledged messages (a slow consumer).
    #[error("outbox of {session} full ({capacity} messages)")]
    OutboxFull {
        /// The session.
        session: SessionId,
        /// The outbox capacity.
        capacity: usize,
        /// The refused message.
        message: Message,
    },
    /// The message is larger than the session's `max_payload`.
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
}
