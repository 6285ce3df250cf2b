//! The application's side: a cloneable handle that sends (buffered while disconnected), a
//! `Sink` over it, and the `Stream` of incoming messages across reconnects.

use crate::error::ReconnectError;
use crate::metrics;
use futures::{Sink, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::{CancellationToken, PollSender};

/// Sends through the reconnector and shuts it down. Cheap to clone.
///
/// Messages go into a bounded buffer that the reconnector drains into the live connection;
/// while disconnected they wait there and go out after the reconnect.
#[derive(Debug, Clone)]
pub struct ClientHandle {
    outbox: mpsc::Sender<Message>,
    shutdown: CancellationToken,
}

impl ClientHandle {
    pub(crate) fn new(outbox: mpsc::Sender<Message>, shutdown: CancellationToken) -> Self {
        ClientHandle { outbox, shutdown }
    }

    /// Buffers `message` for the connection, without waiting. A full buffer hands the
    /// message back in [`ReconnectError::BufferFull`].
    pub fn send(&self, message: Message) -> Result<(), ReconnectError> {
        self.outbox.try_send(message).map_err(|error| self.rejected(error))
    }

    fn rejected(&self, error: TrySendError<Message>) -> ReconnectError {
        let capacity = self.outbox.max_capacity();
        let error = match error {
            TrySendError::Full(message) => ReconnectError::BufferFull { message, capacity },
            TrySendError::Closed(message) => ReconnectError::Stopped { message: Some(message) },
        };
        metrics::send_rejected(error.label());
        error
    }

    /// A `Sink` that waits for room in the buffer instead of failing.
    pub fn sink(&self) -> ClientSink {
        ClientSink { inner: PollSender::new(self.outbox.clone()) }
    }

    /// Messages waiting in the buffer.
    pub fn buffered(&self) -> usize {
        self.outbox.max_capacity() - self.outbox.capacity()
    }

    /// Asks the reconnector to stop: it sends what is buffered if connected, closes with
    /// 1000, and ends. Unsent messages come back in [`Stopped::unsent`](crate::Stopped).
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Whether the reconnector has stopped or was asked to.
    pub fn is_stopped(&self) -> bool {
        self.shutdown.is_cancelled() || self.outbox.is_closed()
    }
}

/// A `futures::Sink<Message>` into the reconnector's buffer: `poll_ready` waits for room.
#[derive(Debug)]
pub struct ClientSink {
    inner: PollSender<Message>,
}

impl Sink<Message> for ClientSink {
    type Error = ReconnectError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_reserve(cx).map_err(|_| ReconnectError::Stopped { message: None })
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Self::Error> {
        let sent = self.inner.send_item(message);
        sent.map_err(|error| ReconnectError::Stopped { message: error.into_inner() })
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Result<(), Self::Error>> {
        self.inner.close();
        Poll::Ready(Ok(()))
    }
}

/// The messages received on every connection in turn (all but close frames), as one
/// `futures::Stream`; it ends when the reconnector stops.
#[derive(Debug)]
pub struct Incoming {
    receiver: mpsc::Receiver<Message>,
}

impl Incoming {
    pub(crate) fn new(receiver: mpsc::Receiver<Message>) -> Self {
        Incoming { receiver }
    }
}

impl Stream for Incoming {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.receiver.poll_recv(cx)
    }
}
