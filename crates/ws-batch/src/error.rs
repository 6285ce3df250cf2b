//! The errors of the outbox, and why a send failed.

use std::time::Duration;

/// What went wrong with an outbox operation. Every variant carries what the caller needs to
/// act on it: a rejected push hands its message back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError<M> {
    /// The outbox already holds its maximum number of messages; the message is handed back.
    #[error("outbox full: {capacity} messages queued")]
    FullMessages {
        /// The rejected message, returned to the caller.
        message: M,
        /// The configured capacity in messages.
        capacity: usize,
    },
    /// The message would take the outbox over its byte capacity; the message is handed back.
    #[error("outbox full: {queued} of {capacity} bytes queued, message of {size} bytes")]
    FullBytes {
        /// The rejected message, returned to the caller.
        message: M,
        /// The size of the rejected message in bytes.
        size: usize,
        /// The bytes already queued.
        queued: usize,
        /// The configured capacity in bytes.
        capacity: usize,
    },
    /// The outbox was closed ([`Outbox::close`](crate::Outbox::close)): its owner replaced
    /// or ended it, and nothing pushed now would ever be sent; the message is handed back, to
    /// go wherever the owner now sends.
    #[error("outbox closed")]
    Closed {
        /// The rejected message, returned to the caller.
        message: M,
    },
    /// An ack named a sequence number this outbox never sent.
    #[error("ack of sequence {seq} that was never sent (highest sent: {highest_sent:?})")]
    AckOfUnsent {
        /// The sequence number acked.
        seq: u64,
        /// The highest sequence number sent so far, if any.
        highest_sent: Option<u64>,
    },
    /// The flush failed: its batch went back to `Pending` (or to the dead letters).
    #[error("flush failed: {0}")]
    Flush(SendFailure),
}

/// Why a batch was not confirmed; kept as the last error of each message it held.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendFailure {
    /// The transport returned an error (its text).
    #[error("transport error: {0}")]
    Transport(String),
    /// The transport did not finish within the flush timeout.
    #[error("flush timed out after {0:?}")]
    Timeout(Duration),
    /// The flush was dropped before it finished.
    #[error("flush cancelled before it finished")]
    Cancelled,
    /// The peer did not ack in time, or the connection was replaced before it did.
    #[error("sent but not acknowledged")]
    Unacked,
    /// The peer's limits refuse the message (e.g. larger than the payload it accepts),
    /// found when it was requeued: see [`Outbox::requeue_refusing`](crate::Outbox::requeue_refusing).
    #[error("refused by the peer's limits")]
    Refused,
}

impl SendFailure {
    /// A lowercase name, fit for a metric label.
    pub fn as_label(&self) -> &'static str {
        match self {
            SendFailure::Transport(_) => "transport",
            SendFailure::Timeout(_) => "timeout",
            SendFailure::Cancelled => "cancelled",
            SendFailure::Unacked => "unacked",
            SendFailure::Refused => "refused",
        }
    }
}

impl<M> OutboxError<M> {
    /// The message a rejected push hands back, if this error holds one.
    pub fn into_message(self) -> Option<M> {
        match self {
            OutboxError::FullMessages { message, .. }
            | OutboxError::FullBytes { message, .. }
            | OutboxError::Closed { message } => Some(message),
            _ => None,
        }
    }
}

/// Which capacity a message would exceed: an [`OutboxError`] once the message is attached,
/// so the message is moved only when it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Closed,
    Messages { capacity: usize },
    Bytes { size: usize, queued: usize, capacity: usize },
}

impl Refusal {
    /// The error that hands `message` back.
    pub(crate) fn into_error<M>(self, message: M) -> OutboxError<M> {
        match self {
            Refusal::Closed => OutboxError::Closed { message },
            Refusal::Messages { capacity } => OutboxError::FullMessages { message, capacity },
            Refusal::Bytes { size, queued, capacity } => {
                OutboxError::FullBytes { message, size, queued, capacity }
            }
        }
    }
}
