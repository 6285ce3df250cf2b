//! The application's halves of a split socket: a `Sink` and a `Stream` of `Message`.

use super::Shared;
use futures::{Sink, Stream};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The sending half: a `Sink<Message>` like tokio-tungstenite's, failing with
/// `AlreadyClosed` once the connection is force-closed.
#[derive(Debug)]
pub struct WsSink<S> {
    shared: Arc<Shared<S>>,
}

impl<S> WsSink<S> {
    pub(super) fn new(shared: Arc<Shared<S>>) -> Self {
        WsSink { shared }
    }
}

impl<S> Sink<Message> for WsSink<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let polled = self.shared.poll_write(cx, |half, cx| half.poll_ready(cx));
        polled.unwrap_or(Poll::Ready(Err(released())))
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), WsError> {
        self.shared.with_write(|half| half.start_send(item)).unwrap_or(Err(released()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let polled = self.shared.poll_write(cx, |half, cx| half.poll_flush(cx));
        polled.unwrap_or(Poll::Ready(Err(released())))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let polled = self.shared.poll_write(cx, |half, cx| half.poll_close(cx));
        polled.unwrap_or(Poll::Ready(Err(released())))
    }
}

/// The receiving half: a `Stream` of `Result<Message, Error>` like tokio-tungstenite's.
///
/// Every frame it yields counts as activity (the heartbeat's pongs too, so keep polling
/// it); it ends once the connection is force-closed, even while waiting for a frame.
#[derive(Debug)]
pub struct WsStream<S> {
    shared: Arc<Shared<S>>,
}

impl<S> WsStream<S> {
    pub(super) fn new(shared: Arc<Shared<S>>) -> Self {
        WsStream { shared }
    }
}

impl<S> Stream for WsStream<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    type Item = Result<Message, WsError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.shared.poll_read(cx)
    }
}

/// The error of a half whose connection was force-closed.
fn released() -> WsError {
    WsError::AlreadyClosed
}
