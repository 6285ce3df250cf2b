//! [`Budget`]: the server-wide bounds on sessions and on the bytes every outbox holds, and
//! how the server keeps within them: the oldest detached sessions expire first.

use super::hello::Refused;
use super::session::SessionState;
use super::{SessionEvent, SessionServer};
use crate::error::Error;
use crate::protocol::{CloseCode, Payload};
use crate::session_link::Stored;
use tokio_tungstenite::tungstenite::Message;
use ws_batch::MessageSize;

/// The server-wide budget of a [`SessionServer`](super::SessionServer): how many sessions
/// it keeps (attached or detached within their resume window) and how many bytes all their
/// outboxes hold together. Each outbox is also bounded on its own (`limits.max_unacked`
/// messages, and ws-batch's 4 MiB byte cap), but 10 000 sessions of 4 MiB are 40 GB: the
/// budget bounds the sum.
///
/// Under pressure the **oldest detached session expires first**, early
/// ([`SessionEvent::Evicted`], its messages abandoned and its outbox freed, a later resume
/// answered SESSION_LOST `02` expired; `ws_reliability_sessions_evicted_total{reason}`).
/// Only when no detached session is left:
/// - past `max_sessions` a fresh session is refused with close 1013
///   (`ws_reliability_sessions_refused_total{reason="max_sessions"}`); a resume is never
///   refused by the budget;
/// - a send that would pass `max_outbox_bytes` is refused with [`Error::BudgetExceeded`],
///   the message handed back (`ws_reliability_send_refused_total{reason="budget_exceeded"}`).
///   `send_wait` and a [`SessionSink`](super::SessionSink) do not wait for the budget
///   (acks of other sessions would have to free it): they return the error at once.
///
/// The checks are made before each push without a lock across sessions, so concurrent
/// sends can pass `max_outbox_bytes` by the messages in flight at that instant (a sink
/// counts its own buffered run, at most [`SINK_BUFFER`](super::SINK_BUFFER) messages,
/// against the meter it read at the run's start), and concurrent handshakes
/// `max_sessions` by the handshakes in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// The most sessions kept, attached or detached (default 10 000, as many as the
    /// default `conn.limits.max_connections`: each connection can hold a session).
    pub max_sessions: usize,
    /// The most payload bytes held by all session outboxes together (default 256 MiB).
    pub max_outbox_bytes: usize,
}

impl Default for Budget {
    /// 10 000 sessions (the default connection limit) and 256 MiB. An outbox counts what
    /// it holds per message, its entry (about 150 bytes, a payload of up to 118 bytes
    /// copied in) plus a larger payload's bytes, so the 256 MiB bound the outboxes' memory
    /// whatever the message size (uncounted, 10 000 full outboxes of 64-byte messages took
    /// 1.8 GB). With about 10 KiB per idle connection and session (100 MiB for 10 000), a
    /// default server under a session flood stays well under 1 GiB of RSS.
    fn default() -> Self {
        Budget { max_sessions: 10_000, max_outbox_bytes: 256 * 1024 * 1024 }
    }
}

/// What presses on the budget: the label of `ws_reliability_sessions_evicted_total`.
#[derive(Debug, Clone, Copy)]
enum Pressure {
    Sessions,
    Bytes,
}

impl Pressure {
    fn label(self) -> &'static str {
        match self {
            Pressure::Sessions => "max_sessions",
            Pressure::Bytes => "max_outbox_bytes",
        }
    }
}

impl SessionServer {
    /// Room for a fresh session: at `max_sessions`, the oldest detached session expires;
    /// with none, the session is refused with 1013 (counted).
    pub(super) fn room_for_session(&self) -> Result<(), Refused> {
        let max = self.inner.config.sessions.budget.max_sessions;
        while self.inner.sessions.len() >= max {
            if !self.evict_oldest(Pressure::Sessions) {
                return Err(sessions_full());
            }
        }
        Ok(())
    }

    /// `message` as an outbox keeps it, checked (data, `max_payload`) and within the byte
    /// budget: what `send`, `send_wait` and a sink push to `session`.
    pub(super) fn budgeted(
        &self,
        session: &SessionState,
        message: Message,
    ) -> Result<Stored, Error> {
        let payload = self.payload(message)?;
        self.within_budget(session, payload)
    }

    /// The payload of `message`, checked as [`budgeted`](Self::budgeted) checks it and
    /// within the byte budget, not yet copied in (the sink stores it in place: no stored
    /// message moved through `Result`s). The shared meter (an atomic every outbox moves: a read is a cache miss under
    /// load) is read only when the run's `headroom` is short, about once per run of a sink.
    pub(super) fn budgeted_payload(
        &self,
        session: &SessionState,
        message: Message,
        headroom: &mut Headroom,
    ) -> Result<Payload, Error> {
        let payload = crate::session_link::checked(message, self.inner.config.limits.max_payload)?;
        match self.reserve(headroom, Stored::size_of_payload(&payload)) {
            Ok(()) => Ok(payload),
            Err(budget) => Err(over_budget(session, budget, payload.into_message())),
        }
    }

    /// Takes `size` bytes from `headroom`; when it is short, makes room in the budget for
    /// them and the run's (as [`within_budget`](Self::within_budget) does) and reads what
    /// is left into it.
    fn reserve(&self, headroom: &mut Headroom, size: usize) -> Result<(), usize> {
        if headroom.take(size) {
            return Ok(());
        }
        self.make_room(headroom.run + size)?;
        headroom.refill(self.budget_left(), size);
        Ok(())
    }

    /// The bytes the budget has left now (one read of the shared meter).
    fn budget_left(&self) -> usize {
        self.inner.config.sessions.budget.max_outbox_bytes.saturating_sub(self.outbox_bytes())
    }

    /// `payload` for `session` if the byte budget has room for it, after expiring the
    /// oldest detached sessions that hold bytes if it has not; else the refusal.
    fn within_budget(&self, session: &SessionState, payload: Stored) -> Result<Stored, Error> {
        match self.make_room(payload.message_size()) {
            Ok(()) => Ok(payload),
            Err(budget) => Err(over_budget(session, budget, payload.into_message())),
        }
    }

    /// Room for `size` more bytes in the byte budget, after expiring the oldest detached
    /// sessions that hold bytes if need be; else the budget, which has no room.
    fn make_room(&self, size: usize) -> Result<(), usize> {
        let budget = self.inner.config.sessions.budget.max_outbox_bytes;
        while self.outbox_bytes().saturating_add(size) > budget {
            if !self.evict_oldest(Pressure::Bytes) {
                return Err(budget);
            }
        }
        Ok(())
    }

    /// Expires the oldest detached session (holding bytes, under byte pressure); whether
    /// there was one.
    fn evict_oldest(&self, pressure: Pressure) -> bool {
        let holding = matches!(pressure, Pressure::Bytes);
        let Some(session) = self.inner.sessions.oldest_detached(holding) else { return false };
        crate::metrics::session_evicted(pressure.label());
        let unacked = session.outbox.stats().len();
        self.expire(&session, SessionEvent::Evicted { session: session.id, unacked });
        true
    }

    /// Ends a detached session for good (its window passed, or the budget needs room): a
    /// resume of it is answered SESSION_LOST `02` expired, its messages are abandoned
    /// (counted) and its outbox's memory freed, even while a producer holds it.
    pub(super) fn expire(&self, session: &SessionState, event: SessionEvent) {
        self.inner.sessions.bury(session.id);
        self.remove(session, event);
        session.outbox.discard();
    }
}

/// What a run of one sink's messages may still take from the byte budget without reading
/// the shared meter again, and what the run took so far (its messages are not in the meter
/// until they reach the outbox). A sink starts it afresh (empty) with every run, so it is
/// never older than one run of [`SINK_BUFFER`](super::SINK_BUFFER) messages: concurrent
/// sends can pass the budget by what is in flight, as [`Budget`] says, a sink's own
/// buffer cannot.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Headroom {
    left: usize,
    run: usize,
}

impl Headroom {
    /// Takes `size` bytes if there are that many left; whether it did.
    fn take(&mut self, size: usize) -> bool {
        let Some(rest) = self.left.checked_sub(size) else { return false };
        self.left = rest;
        self.run += size;
        true
    }

    /// Takes `size` bytes after a fresh reading: the budget has `left` bytes beside the
    /// run's, which are not in it yet.
    fn refill(&mut self, left: usize, size: usize) {
        self.run += size;
        self.left = left.saturating_sub(self.run);
    }
}

/// A fresh session refused at `max_sessions`, every session attached (counted).
fn sessions_full() -> Refused {
    crate::metrics::session_refused("max_sessions");
    Refused::Close(CloseCode::TryAgainLater)
}

/// The refusal of `message` for `session`: the byte budget is spent.
fn over_budget(session: &SessionState, budget: usize, message: Message) -> Error {
    Error::BudgetExceeded { session: session.id, budget, message }
}

#[cfg(test)]
mod tests;
