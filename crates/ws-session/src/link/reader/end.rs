//! [`LinkEnd`]: how a link ended, and the ends the reader finds itself.

use super::super::Outgoing;
use crate::protocol::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// How a link ended.
#[derive(Debug, Clone)]
pub enum LinkEnd {
    /// The peer sent a close frame.
    PeerClosed(Option<CloseFrame>),
    /// The stream ended or failed without a close frame.
    Lost,
    /// The peer broke the protocol or a limit: close with this code.
    Violation(CloseCode),
    /// Stopped from outside.
    Cancelled,
    /// A write failed: the connection cannot carry frames any more.
    WriteFailed,
}

/// The link's token was cancelled: by its writer after a failed write (it closed its
/// channel first), or from outside.
pub(super) fn stopped(out: &Outgoing) -> LinkEnd {
    if out.is_closed() {
        LinkEnd::WriteFailed
    } else {
        LinkEnd::Cancelled
    }
}

/// A peer silent past the idle timeout: the link is dead (a half-open connection).
pub(super) fn silent() -> LinkEnd {
    crate::metrics::idle_timeout();
    LinkEnd::Lost
}

/// A peer that left a message unacked past the outbox's ack timeout (it stopped reading,
/// or reads and never acks): counted, closed with 4001; its session stays resumable, and
/// nothing was resent on this connection (the server's outboxes report, they do not resend).
pub(super) fn slow_consumer() -> LinkEnd {
    crate::metrics::slow_consumer();
    LinkEnd::Violation(CloseCode::UnackedLimit)
}
