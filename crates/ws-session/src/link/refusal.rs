//! What a write the sink refused means for the writer: the connection is closing (a close
//! frame already went out, through the writer or through the ws-conn registry, or the close
//! handshake already ended), or the write failed.

use futures::channel::mpsc::{SendError, UnboundedReceiver};
use futures::StreamExt;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// An error of the writer's sink that can say whether it only means "closing".
pub trait Refusal {
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

/// Whether the writer still closes its sink once its writes ended: yes when none was
/// refused, else as [`after_refusal`] says (`refused`: whether the refusal meant closing).
pub(super) async fn after_writes(
    refused: Option<bool>,
    receiver: UnboundedReceiver<Vec<Message>>,
    broken: &super::writer::Broken,
) -> bool {
    match refused {
        Some(closing) => after_refusal(closing, receiver, &broken.token, broken.side).await,
        None => true,
    }
}

/// After the sink refused a write (`closing`: see [`Refusal`]): a closing connection sends
/// nothing more of the link's (what was queued is dropped: the outbox keeps every message
/// until the peer acks it, and resends it on resume), so the writer swallows what comes
/// until its last sender is gone, then closes the sink like any writer that ends (which
/// writes tungstenite's answer to a close the peer sent: queued when it was read, written
/// only by a flush); returns `true` then. A failed write is counted, closes the channel
/// (so that the reader sees a write failure, not a stop from outside) and cancels `broken`,
/// which ends the link; returns `false`: the sink is not touched again.
pub(super) async fn after_refusal(
    closing: bool,
    receiver: UnboundedReceiver<Vec<Message>>,
    broken: &super::LinkToken,
    side: super::writer::Side,
) -> bool {
    if closing {
        receiver.for_each(|_unsent| std::future::ready(())).await;
        return true;
    }
    crate::metrics::write_failed(side.as_str());
    drop(receiver); // closed before the cancel: see `Stop::cancel`
    broken.cancel();
    false
}
