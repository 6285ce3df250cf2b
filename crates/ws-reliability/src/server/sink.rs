//! [`SessionSink`]: a `futures::Sink<Message>` into one session's outbox, with
//! backpressure, from [`ReliableServer::sink`].
//!
//! The sink holds the session itself: no lookup in the server's session map per message,
//! as [`ReliableServer::send`] and [`ReliableServer::send_wait`] do. It buffers one
//! message (a one-slot buffer): `start_send` checks the message and keeps it, `poll_ready`
//! and `poll_flush` move it into the outbox, waiting for room (the client's acks) while
//! the outbox is full. Every message is accounted exactly as `send_wait` accounts it.

use super::session::Session;
use super::wait::{ended, room_for};
use super::{full, ReliableServer};
use crate::error::Error;
use crate::link::Stored;
use crate::protocol::SessionId;
use futures::Sink;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::ReusableBoxFuture;

/// A push waiting for room in the outbox: the sequence number once queued.
type Room = ReusableBoxFuture<'static, Result<u64, Error>>;

/// The sink's one-slot buffer.
#[derive(Debug)]
enum Slot {
    Empty,
    /// Accepted by `start_send`, not yet pushed.
    Held(Stored),
    /// The outbox was full: the push waits for room (the message is inside the future).
    Waiting(Room),
}

/// A [`Sink`] of [`Message`]s to one session, from [`ReliableServer::sink`]: `feed`,
/// `send`, `send_all` or `forward` into it as into a tokio-tungstenite socket.
///
/// - **Backpressure**: `poll_ready` pends while the session's outbox holds `max_unacked`
///   messages, until the client's acks free room (no busy loop).
/// - **Flush means queued**: `poll_flush` is ready once the message is in the session's
///   outbox, queued for the client like a message [`ReliableServer::send`] took; its
///   delivery is confirmed later by the client's acks (and survives a resume).
///   `poll_close` flushes; it does not end the session.
/// - **Refusals hand the message back** ([`Error::into_message`]): not text or binary
///   ([`Error::NotData`]), too large ([`Error::TooLarge`]), the session ended (closed or
///   expired: [`Error::UnknownSession`]), checked when the message is accepted, before it
///   is pushed and while it waits for room. Each refusal is counted in
///   `ws_reliability_send_refused_total{reason}`.
/// - **Dropped with a message in its slot** (accepted, never flushed): the message is not
///   sent; this is counted as `ws_reliability_send_refused_total{reason="sink_dropped"}`
///   and logged as a warning. Flush before dropping.
#[derive(Debug)]
pub struct SessionSink {
    server: ReliableServer,
    session: Arc<Session>,
    slot: Slot,
    /// The last finished wait's box, reused by the next one.
    spare: Option<Room>,
}

impl ReliableServer {
    /// A [`SessionSink`] to `session`: a `futures::Sink<Message>` with backpressure, for
    /// many messages to one session without a session lookup per message. Refused with
    /// [`Error::SessionNotFound`] when no such session lives.
    pub fn sink(&self, session: SessionId) -> Result<SessionSink, Error> {
        let found = self.inner.sessions.get(&session);
        let session = found.ok_or(Error::SessionNotFound { session })?;
        Ok(SessionSink { server: self.clone(), session, slot: Slot::Empty, spare: None })
    }
}

impl SessionSink {
    /// The session this sink sends to.
    pub fn session(&self) -> SessionId {
        self.session.id
    }

    /// Checks `message` and keeps it in the slot.
    fn accept(&mut self, message: Message) -> Result<(), Error> {
        if !matches!(self.slot, Slot::Empty) {
            return Err(Error::NotReady { session: self.session.id, message });
        }
        if self.session.has_ended() {
            return Err(ended(&self.session, message));
        }
        self.slot = Slot::Held(self.server.payload(message)?);
        Ok(())
    }

    /// Moves the slot's message into the outbox: ready once the slot is empty.
    fn poll_push(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let pushed = match std::mem::replace(&mut self.slot, Slot::Empty) {
            Slot::Empty => return Poll::Ready(Ok(())),
            Slot::Held(payload) => self.push_or_wait(payload, cx),
            Slot::Waiting(room) => self.poll_room(room, cx),
        };
        pushed.map(|pushed| self.account(pushed))
    }

    /// Pushes `payload` if the session lives and its outbox has room, else waits for room.
    fn push_or_wait(&mut self, payload: Stored, cx: &mut Context<'_>) -> Poll<Result<u64, Error>> {
        match self.try_push(payload) {
            ControlFlow::Break(pushed) => Poll::Ready(pushed),
            ControlFlow::Continue(payload) => {
                let room = self.wait_for_room(payload);
                self.poll_room(room, cx)
            }
        }
    }

    /// One try without waiting: done (queued, or refused for good), or `payload` handed
    /// back when only waiting for room would help.
    fn try_push(&self, payload: Stored) -> ControlFlow<Result<u64, Error>, Stored> {
        if self.session.has_ended() {
            return ControlFlow::Break(Err(ended(&self.session, payload.into_message())));
        }
        let pushed = self.session.outbox.push_if_room(payload);
        pushed.map_break(|pushed| pushed.map_err(|error| full(&self.session, error)))
    }

    /// The wait for room for `payload`, in the spare box if there is one.
    fn wait_for_room(&mut self, payload: Stored) -> Room {
        let waiting = room_for(Arc::clone(&self.session), payload);
        match self.spare.take() {
            Some(mut room) => {
                room.set(waiting);
                room
            }
            None => ReusableBoxFuture::new(waiting),
        }
    }

    /// Polls a wait for room: kept in the slot while pending, its box spared once done.
    fn poll_room(&mut self, mut room: Room, cx: &mut Context<'_>) -> Poll<Result<u64, Error>> {
        let polled = room.poll(cx);
        match polled {
            Poll::Pending => self.slot = Slot::Waiting(room),
            Poll::Ready(_) => self.spare = Some(room),
        }
        polled
    }

    /// Accounts a push as `send_wait` does: queued, or refused and counted.
    fn account(&self, pushed: Result<u64, Error>) -> Result<(), Error> {
        let seq = pushed.map_err(refused)?;
        self.server.queued(&self.session, seq);
        Ok(())
    }
}

impl Sink<Message> for SessionSink {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_push(cx)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.get_mut().accept(message).map_err(refused)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_push(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_push(cx)
    }
}

impl Drop for SessionSink {
    /// A message still in the slot is never sent: counted and logged, never silent.
    fn drop(&mut self) {
        if !matches!(self.slot, Slot::Empty) {
            crate::metrics::sink_dropped();
            let session = self.session.id;
            tracing::warn!(%session, "session sink dropped with an unflushed message: not sent");
        }
    }
}

/// Counts a refusal (as `send` and `send_wait` count theirs) and passes it on.
fn refused(error: Error) -> Error {
    crate::metrics::send_refused(error.label());
    error
}

#[cfg(test)]
mod tests;
