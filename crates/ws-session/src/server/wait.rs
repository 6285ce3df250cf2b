//! [`SessionServer::send_wait`]: a send that waits for room in the session's outbox
//! instead of refusing, the backpressure a `Sink`'s `feed` gives. The waiting and the
//! accounting here are shared with [`SessionSink`](super::SessionSink).

use super::session::SessionState;
use super::{push_refused, SessionServer};
use crate::error::Error;
use crate::protocol::SessionId;
use crate::rollout::Outcomes;
use crate::session_link::Stored;
use std::ops::ControlFlow;
use std::ops::Range;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

impl SessionServer {
    /// Queues `message` for `session` like [`send`](Self::send), but waits while the
    /// session's outbox is full (until the client acks) instead of refusing it: the
    /// backpressure a `Sink`'s `feed` gives. Refused, the message handed back, when the
    /// session is unknown or ends while waiting, or when the message is not data or too
    /// large, or when the server's byte budget is spent ([`Error::BudgetExceeded`], at
    /// once: only the session's own outbox is waited for, see [`Budget`](super::Budget)).
    /// Cancel-safe: dropping the future queues nothing. To send many messages to
    /// one session, [`sink`](Self::sink) saves the session lookup per message.
    pub async fn send_wait(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let queued = self.send_waiting(session, message).await;
        queued.inspect_err(|error| crate::metrics::send_refused(error.label()))
    }

    async fn send_waiting(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let Some(target) = self.inner.sessions.get(&session) else {
            return Err(Error::UnknownSession { session, message });
        };
        let payload = self.budgeted(&target, message)?;
        let seq = wait_for_room(&target, payload).await?;
        self.queued(&target, seq..seq + 1);
        Ok(seq)
    }

    /// Accounts messages a waiting push queued as `seqs` (`send_wait`, a sink): successes
    /// for the `batch` guard (waiting is the policy here, not a failure), and the
    /// session's highest pushed sequence number.
    pub(super) fn queued(&self, session: &SessionState, seqs: Range<u64>) {
        if let Some(last) = seqs.end.checked_sub(1).filter(|_| !seqs.is_empty()) {
            let successes = Outcomes::successes(seqs.end - seqs.start);
            super::switches::record_batch(self.rollout(), session, successes);
            session.pushed(last);
        }
    }
}

/// Pushes `payload`, waiting for room: the first try without a future, the wait only when
/// the outbox is full.
async fn wait_for_room(session: &SessionState, payload: Stored) -> Result<u64, Error> {
    match session.outbox.push_if_room(payload) {
        ControlFlow::Break(pushed) => pushed.map_err(|error| push_refused(session, error)),
        ControlFlow::Continue(payload) => waiting_for_room(session, payload).await,
    }
}

/// The future a [`SessionSink`](super::SessionSink) keeps while its outbox is full: owns
/// the session and the message, so it can be stored.
pub(super) async fn room_for(session: Arc<SessionState>, payload: Stored) -> Result<u64, Error> {
    waiting_for_room(&session, payload).await
}

/// Pushes `payload` once room is freed. A session that ends meanwhile closes its outbox,
/// which wakes the wait and hands the message back.
async fn waiting_for_room(session: &SessionState, payload: Stored) -> Result<u64, Error> {
    let pushed = session.outbox.push_wait(payload).await;
    pushed.map_err(|error| push_refused(session, error))
}

/// The refusal of `message` by a session that ended (closed or expired): it hands the
/// message back, as for a session that never existed.
pub(super) fn ended(session: &SessionState, message: Message) -> Error {
    Error::UnknownSession { session: session.id, message }
}
