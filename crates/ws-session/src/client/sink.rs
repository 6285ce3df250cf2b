//! [`ClientSink`]: a `futures::Sink<Message>` into a `ReliableClient`'s outbox, with
//! backpressure: what `ReliableClient::send` does for one message, for a stream of them.

use super::state::ClientState;
use crate::error::Error;
use crate::session_link::{checked_payload, outbox_full, BufferedSink, Stored, SINK_BUFFER};
use futures::Sink;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio_tungstenite::tungstenite::Message;
use ws_batch::{OutboxError, Pushed};

/// A refused message waiting for room in the outbox.
type Room = Pin<Box<dyn Future<Output = Result<u64, Error>> + Send>>;

/// A [`Sink`] of [`Message`]s to the server, from `ReliableClient::sink`: `feed`, `send`,
/// `send_all` or `forward` into it as into a tokio-tungstenite socket.
///
/// - **Buffered like a socket**: `start_send` checks a message (data, within the server's
///   `max_payload`; else refused and handed back in the error) and keeps it; up to 64 wait
///   in the sink and move into the client's outbox together, when the buffer is full (at
///   `poll_ready`) or at a flush.
/// - **Backpressure**: `poll_ready` and `poll_flush` pend while the outbox is full, until
///   the server's acks make room. A queued message is sent when connected and kept until
///   the server acks it, across reconnects, as with `ReliableClient::send`.
/// - **Flush** is ready once every message is in the outbox, not once the server has it.
/// - **Drop** with messages still in the sink: they are never sent; counted
///   (`ws_reliability_send_refused_total{reason="sink_dropped"}`) and logged.
#[derive(Debug)]
pub struct ClientSink {
    state: Arc<ClientState>,
    buffer: VecDeque<Stored>,
    waiting: Option<Waiting>,
}

/// The wait for room of the first message a full outbox refused.
struct Waiting(Room);

impl std::fmt::Debug for Waiting {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Waiting")
    }
}

impl ClientSink {
    /// A sink into `state`'s outbox (`ReliableClient::sink` in `ws-reliability`).
    #[doc(hidden)] // `ws-reliability`'s `ReliableClient` hands these out
    pub fn new(state: Arc<ClientState>) -> Self {
        ClientSink { state, buffer: VecDeque::with_capacity(SINK_BUFFER), waiting: None }
    }

    fn state(&self) -> &Arc<ClientState> {
        &self.state
    }

    /// Checks `message` and keeps it in the buffer.
    fn accept(&mut self, message: Message) -> Result<(), Error> {
        if self.buffer.len() >= SINK_BUFFER {
            return Err(Error::NotReady { session: self.state().session_or_zero(), message });
        }
        let max_payload = self.state().limits().max_payload;
        self.buffer.push_back(checked_payload(message, max_payload)?);
        Ok(())
    }

    fn unqueued(&self) -> usize {
        self.buffer.len() + usize::from(self.waiting.is_some())
    }
}

impl BufferedSink for ClientSink {
    type Error = Error;

    fn buffered(&self) -> usize {
        self.buffer.len()
    }

    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let Some(Waiting(room)) = &mut self.waiting else { return Poll::Ready(Ok(())) };
        let pushed = ready!(room.as_mut().poll(cx));
        self.waiting = None;
        Poll::Ready(pushed.map(|_seq| ()))
    }

    fn push_buffered(&mut self) -> Result<(), Error> {
        let buffer = &mut self.buffer;
        let Pushed { refused, .. } =
            self.state.outbox().push_many(std::iter::from_fn(|| buffer.pop_front()));
        let first = refused.and_then(OutboxError::into_message);
        let state = Arc::clone(self.state());
        self.waiting = first.map(|first| Waiting(Box::pin(room_for(state, first))));
        Ok(())
    }
}

impl Sink<Message> for ClientSink {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_room_for_one(cx)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.get_mut().accept(message)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_drain(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_drain(cx)
    }
}

impl Drop for ClientSink {
    /// Messages still in the sink are never sent: counted and logged, never silent.
    fn drop(&mut self) {
        let unqueued = self.unqueued();
        if unqueued > 0 {
            crate::metrics::sink_dropped(unqueued);
            tracing::warn!(unqueued, "client sink dropped with unflushed messages: not sent");
        }
    }
}

/// Pushes `payload` once the client's outbox has room: into the outbox of the moment, and
/// into the next one if a SESSION_LOST replaces (and closes) it meanwhile: the closed outbox
/// wakes the wait and hands the message back.
async fn room_for(state: Arc<ClientState>, mut payload: Stored) -> Result<u64, Error> {
    loop {
        match state.outbox().push_wait(payload).await {
            Err(OutboxError::Closed { message }) => payload = message,
            pushed => return pushed.map_err(|error| outbox_full(state.session_or_zero(), error)),
        }
    }
}

#[cfg(test)]
mod tests;
