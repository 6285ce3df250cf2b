//! [`Budget`]: the server-wide bounds on sessions and on the bytes every outbox holds, and
//! how the server keeps within them: the oldest detached sessions expire first.

use super::hello::Refused;
use super::session::SessionState;
use super::{SessionEvent, SessionServer};
use crate::error::Error;
use crate::protocol::CloseCode;
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
/// sends (and a sink's buffer, at most [`SINK_BUFFER`](super::SINK_BUFFER) messages checked
/// one by one) can pass `max_outbox_bytes` by the messages in flight at that instant, and
/// concurrent handshakes `max_sessions` by the handshakes in progress.
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
    /// it holds per message, its entry (about 160 bytes, a payload of up to 120 bytes
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
        let max = self.inner.config.budget.max_sessions;
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

    /// `payload` for `session` if the byte budget has room for it, after expiring the
    /// oldest detached sessions that hold bytes if it has not; else the refusal.
    fn within_budget(&self, session: &SessionState, payload: Stored) -> Result<Stored, Error> {
        let budget = self.inner.config.budget.max_outbox_bytes;
        while self.outbox_bytes().saturating_add(payload.message_size()) > budget {
            if !self.evict_oldest(Pressure::Bytes) {
                return Err(over_budget(session, budget, payload));
            }
        }
        Ok(payload)
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

/// A fresh session refused at `max_sessions`, every session attached (counted).
fn sessions_full() -> Refused {
    crate::metrics::session_refused("max_sessions");
    Refused::Close(CloseCode::TryAgainLater)
}

/// The refusal of `payload` for `session`: the byte budget is spent.
fn over_budget(session: &SessionState, budget: usize, payload: Stored) -> Error {
    Error::BudgetExceeded { session: session.id, budget, message: payload.into_message() }
}

#[cfg(test)]
mod tests;
