//! [`ClientLink`]: what the reconnector (ws-reconnect) holds for one connection. The data
//! moves in the link's own tasks; the reconnector sees the close or the error that ends it,
//! and its shutdown close goes out through the same writer.

use futures::channel::mpsc::UnboundedReceiver;
use futures::{Sink, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use ws_session::link::Outgoing;

/// One connection as `ws_reconnect` drives it: a `Sink` into the connection's writer and a
/// `Stream` that yields how the connection ended.
#[derive(Debug)]
pub struct ClientLink {
    pub(crate) out: Outgoing,
    pub(crate) ended: UnboundedReceiver<Result<Message, WsError>>,
}

fn closed() -> WsError {
    WsError::AlreadyClosed
}

impl Sink<Message> for ClientLink {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        Poll::Ready(if self.out.is_closed() { Err(closed()) } else { Ok(()) })
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        self.out.unbounded_send(message).map_err(|_| closed())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        self.out.close_channel();
        Poll::Ready(Ok(()))
    }
}

impl Stream for ClientLink {
    type Item = Result<Message, WsError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.ended).poll_next(cx)
    }
}
