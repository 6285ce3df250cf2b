//! [`SessionSink`]: a `futures::Sink<Message>` into one session's outbox, with
//! backpressure, from [`SessionServer::sink`].
//!
//! The sink holds the session itself: no lookup in the server's session map per message,
//! as [`SessionServer::send`] and [`SessionServer::send_wait`] do. Like a socket, it
//! buffers what it is fed: `start_send` checks a message and keeps it; a full buffer (at
//! `poll_ready`) or a flush moves the buffer into the outbox under one lock, waiting for
//! room (the client's acks) while the outbox is full. Every message is accounted as
//! `send_wait` accounts it, a run of them at once.

use super::budget::Headroom;
use super::session::SessionState;
use super::wait::{ended, room_for};
use super::SessionServer;
use crate::error::Error;
use crate::protocol::SessionId;
use crate::session_link::{BufferedSink, Stored};
use futures::Sink;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::ReusableBoxFuture;
use ws_batch::OutboxError;

/// A push waiting for room in the outbox: the sequence number once queued.
type Room = ReusableBoxFuture<'static, Result<u64, Error>>;

/// How many accepted messages a sink holds before `poll_ready` moves them into the outbox
/// (a flush moves them at once): one lock, one metrics update and one guard update per
/// run of messages instead of per message.
pub const SINK_BUFFER: usize = crate::session_link::SINK_BUFFER;

/// A [`Sink`] of [`Message`]s to one session, from [`SessionServer::sink`]: `feed`,
/// `send`, `send_all` or `forward` into it as into a tokio-tungstenite socket.
///
/// - **Buffered like a socket**: `start_send` checks a message and keeps it; up to
///   [`SINK_BUFFER`] wait in the sink and are moved into the session's outbox together,
///   when the buffer is full or at a flush (`send` flushes; after `feed`, flush).
/// - **Backpressure**: `poll_ready` pends while the buffer is full and the session's
///   outbox holds `max_unacked` messages, until the client's acks free room (no busy loop).
/// - **Flush means queued**: `poll_flush` is ready once every accepted message is in the
///   session's outbox, queued for the client like a message [`SessionServer::send`] took;
///   its delivery is confirmed later by the client's acks (and survives a resume).
///   With a store (`ServerConfig::sessions.store`) it is ready once the store committed them too:
///   a durable send, which survives a crash of this process (`docs/durability.md`); or
///   [`Error::NotDurable`] if the session moved or ended first.
///   `poll_close` flushes; it does not end the session.
/// - **Refusals hand the message back** ([`Error::into_message`]): not text or binary
///   ([`Error::NotData`]), too large ([`Error::TooLarge`]), the server's byte budget spent
///   ([`Error::BudgetExceeded`], at `start_send`: the sink does not wait for the budget,
///   see [`Budget`](super::Budget)), the session ended (closed or
///   expired: [`Error::UnknownSession`], one per message still held, oldest first, at
///   each further flush). Each refusal is counted in `ws_reliability_send_refused_total{reason}`.
/// - **Dropped with messages not yet queued** (accepted, never flushed): they are not
///   sent; each is counted as `ws_reliability_send_refused_total{reason="sink_dropped"}`
///   and the drop is logged as a warning. Flush before dropping.
#[derive(Debug)]
pub struct SessionSink {
    server: SessionServer,
    session: Arc<SessionState>,
    /// Accepted messages not yet in the outbox, and what they took of the byte budget.
    run: Run,
    /// The oldest accepted message, waiting for room in the full outbox (it goes first).
    waiting: Option<Room>,
    /// The last finished wait's box, reused by the next one.
    spare: Option<Room>,
    /// A flush's wait for the store's commit (a session kept in a store).
    committing: Option<ReusableBoxFuture<'static, bool>>,
}

/// A sink's run: the messages it accepted that are not yet in the outbox, oldest first,
/// stored as the outbox keeps them (a small payload copied in and the application's buffer
/// freed at once, on the thread that allocated it, while the allocator's cache still has
/// room for it), and what the run may still take from the server's byte budget.
#[derive(Debug)]
struct Run {
    stored: VecDeque<Stored>,
    headroom: Headroom,
}

impl Run {
    fn new() -> Self {
        Run { stored: VecDeque::with_capacity(SINK_BUFFER), headroom: Headroom::default() }
    }
}

impl SessionServer {
    /// A [`SessionSink`] to `session`: a `futures::Sink<Message>` with backpressure, for
    /// many messages to one session without a session lookup per message. Refused with
    /// [`Error::SessionNotFound`] when no such session lives.
    pub fn sink(&self, session: SessionId) -> Result<SessionSink, Error> {
        let found = self.inner.sessions.get(&session);
        let session = found.ok_or(Error::SessionNotFound { session })?;
        Ok(SessionSink::new(self.clone(), session))
    }
}

impl SessionSink {
    pub(super) fn new(server: SessionServer, session: Arc<SessionState>) -> Self {
        SessionSink {
            server,
            session,
            run: Run::new(),
            waiting: None,
            spare: None,
            committing: None,
        }
    }

    /// The server the session lives on.
    pub(super) fn server(&self) -> &SessionServer {
        &self.server
    }

    /// The session this sink sends to.
    pub fn session(&self) -> SessionId {
        self.session.id
    }

    /// Checks `message` and keeps it in the buffer.
    fn accept(&mut self, message: Message) -> Result<(), Error> {
        let message = self.admissible(message)?;
        let headroom = &mut self.run.headroom;
        let payload = self.server.budgeted_payload(&self.session, message, headroom)?;
        self.run.stored.push_back(Stored::from(payload));
        Ok(())
    }

    /// `message`, unless the buffer is full or the session ended.
    fn admissible(&self, message: Message) -> Result<Message, Error> {
        if self.run.stored.len() >= SINK_BUFFER {
            return Err(Error::NotReady { session: self.session.id, message });
        }
        if self.session.has_ended() {
            return Err(ended(&self.session, message));
        }
        Ok(message)
    }

    /// Pushes the buffer under one lock and accounts what was queued; the first message a
    /// full outbox refused, if any (the rest stay in the buffer).
    fn push_many(&mut self) -> Option<Stored> {
        self.run.headroom = Headroom::default(); // the run is in the outbox: in the meter now
        let buffer = &mut self.run.stored;
        let pushed = self.session.outbox.push_many(std::iter::from_fn(|| buffer.pop_front()));
        self.server.queued(&self.session, pushed.seqs.clone());
        pushed.refused.and_then(OutboxError::into_message)
    }

    /// The oldest message of an ended session, handed back (and counted).
    fn refuse_oldest(&mut self) -> Error {
        let oldest = self
            .run
            .stored
            .pop_front()
            .map_or(Message::Binary(Default::default()), Stored::into_message);
        refused(ended(&self.session, oldest))
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

    /// Polls a wait for room: kept while pending, its box spared once done.
    fn poll_room(&mut self, mut room: Room, cx: &mut Context<'_>) -> Poll<Result<u64, Error>> {
        let polled = room.poll(cx);
        match polled {
            Poll::Pending => self.waiting = Some(room),
            Poll::Ready(_) => self.spare = Some(room),
        }
        polled
    }

    /// For a session kept in a store: waits until the store committed every message this
    /// session queued so far (the flush's promise there); ready at once otherwise.
    fn poll_stored(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let Some(durable) = self.session.durable() else { return Poll::Ready(Ok(())) };
        let last = self.session.last_pushed();
        let wait =
            self.committing.get_or_insert_with(|| ReusableBoxFuture::new(durable.committed(last)));
        let stored = ready!(wait.poll(cx));
        self.committing = None;
        let not_durable = Error::NotDurable { session: self.session.id };
        Poll::Ready(if stored { Ok(()) } else { Err(refused(not_durable)) })
    }

    /// Accepted messages not yet in the outbox.
    fn unqueued(&self) -> usize {
        self.run.stored.len() + usize::from(self.waiting.is_some())
    }
}

impl BufferedSink for SessionSink {
    type Error = Error;

    fn buffered(&self) -> usize {
        self.run.stored.len()
    }

    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let Some(room) = self.waiting.take() else { return Poll::Ready(Ok(())) };
        let seq = ready!(self.poll_room(room, cx)).map_err(refused)?;
        self.server.queued(&self.session, seq..seq + 1);
        Poll::Ready(Ok(()))
    }

    fn push_buffered(&mut self) -> Result<(), Error> {
        if self.session.has_ended() {
            return Err(self.refuse_oldest());
        }
        let first_refused = self.push_many();
        self.waiting = first_refused.map(|first| self.wait_for_room(first));
        Ok(())
    }
}

impl Sink<Message> for SessionSink {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().poll_room_for_one(cx)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        self.get_mut().accept(message).map_err(refused)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let sink = self.get_mut();
        ready!(sink.poll_drain(cx))?;
        sink.poll_stored(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.poll_flush(cx)
    }
}

impl Drop for SessionSink {
    /// Messages still in the sink are never sent: counted and logged, never silent.
    fn drop(&mut self) {
        let unqueued = self.unqueued();
        if unqueued > 0 {
            crate::metrics::sink_dropped(unqueued);
            let session = self.session.id;
            tracing::warn!(%session, unqueued, "session sink dropped with unflushed messages: not sent");
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
