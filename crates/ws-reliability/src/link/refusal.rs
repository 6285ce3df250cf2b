//! What a write the sink refused means for the writer: the connection is closing (a close
//! frame already went out, through the writer or through the ws-conn registry, or the close
//! handshake already ended), or the write failed.

use futures::channel::mpsc::{SendError, UnboundedReceiver};
use futures::{Sink, SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

/// An error of the writer's sink that can say whether it only means "closing".
pub(crate) trait Refusal {
    /// Whether the sink refused because the connection is closing or closed, not because a
    /// write failed.
    fn is_closing(&self) -> bool;
}

impl Refusal for WsError {
    fn is_closing(&self) -> bool {
        matches!(
            self,
            WsError::Protocol(ProtocolError::SendAfterClosing)
                | WsError::AlreadyClosed
                | WsError::ConnectionClosed
        )
    }
}

/// A channel sink (tests) refuses only when its receiver is gone: a failure.
impl Refusal for SendError {
    fn is_closing(&self) -> bool {
        false
    }
}

/// After the sink refused a write (`closing`: see [`Refusal`]): a closing connection sends
/// nothing more of the link's (what was queued is dropped: the outbox keeps every message
/// until the peer acks it, and resends it on resume), so the writer closes the sink, which
/// writes tungstenite's answer to a close the peer sent (queued when it was read, written
/// only by a flush), then swallows what comes until its last sender is gone; a failed
/// write is counted and cancels `broken`, which ends the link.
pub(super) async fn after_refusal<S>(
    closing: bool,
    receiver: UnboundedReceiver<Vec<Message>>,
    sink: &mut S,
    broken: &CancellationToken,
    side: super::writer::Side,
) where
    S: Sink<Message> + Unpin,
{
    if !closing {
        crate::metrics::write_failed(side.as_str());
        return broken.cancel();
    }
    // its outcome is the reader's: the peer's close already ended the link, or will
    let _answered_or_already_gone = sink.close().await;
    receiver.for_each(|_unsent| std::future::ready(())).await
}
