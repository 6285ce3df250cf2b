//! [`ReliableServer::send_wait`]: a send that waits for room in the session's outbox
//! instead of refusing, the backpressure a `Sink`'s `feed` gives. The waiting and the
//! accounting here are shared with [`SessionSink`](super::SessionSink).

use super::session::Session;
use super::{full, ReliableServer};
use crate::error::Error;
use crate::link::Stored;
use crate::protocol::SessionId;
use crate::rollout::Outcomes;
use std::future::Future;
use std::ops::ControlFlow;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

impl ReliableServer {
    /// Queues `message` for `session` like [`send`](Self::send), but waits while the
    /// session's outbox is full (until the client acks) instead of refusing it: the
    /// backpressure a `Sink`'s `feed` gives. Refused, the message handed back, when the
    /// session is unknown or ends while waiting, or when the message is not data or too
    /// large. Cancel-safe: dropping the future queues nothing. To send many messages to
    /// one session, [`sink`](Self::sink) saves the session lookup per message.
    pub async fn send_wait(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let queued = self.send_waiting(session, message).await;
        queued.inspect_err(|error| crate::metrics::send_refused(error.label()))
    }

    async fn send_waiting(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let Some(target) = self.inner.sessions.get(&session) else {
            return Err(Error::UnknownSession { session, message });
        };
        let payload = self.payload(message)?;
        let seq = wait_for_room(&target, payload).await?;
        self.queued(&target, seq..seq + 1);
        Ok(seq)
    }

    /// Accounts messages a waiting push queued as `seqs` (`send_wait`, a sink): successes
    /// for the `batch` guard (waiting is the policy here, not a failure), and the
    /// session's highest pushed sequence number.
    pub(super) fn queued(&self, session: &Session, seqs: Range<u64>) {
        if let Some(last) = seqs.end.checked_sub(1).filter(|_| !seqs.is_empty()) {
            self.batch_outcomes(session, Outcomes::successes(seqs.end - seqs.start));
            session.pushed(last);
        }
    }
}

/// Pushes `payload`, waiting for room. The first try needs no timer and no copy of the
/// message: only a push that must wait keeps one (a refcount) to hand back.
async fn wait_for_room(session: &Session, payload: Stored) -> Result<u64, Error> {
    match session.outbox.push_if_room(payload) {
        ControlFlow::Break(pushed) => pushed.map_err(|error| full(session, error)),
        ControlFlow::Continue(payload) => waiting_for_room(session, payload).await,
    }
}

/// The future a [`SessionSink`](super::SessionSink) keeps while its outbox is full: owns
/// the session and the message, so it can be stored.
pub(super) async fn room_for(session: Arc<Session>, payload: Stored) -> Result<u64, Error> {
    waiting_for_room(&session, payload).await
}

/// Pushes `payload` once room is freed; keeps a copy (a refcount) to hand back if the
/// session ends meanwhile.
async fn waiting_for_room(session: &Session, payload: Stored) -> Result<u64, Error> {
    let kept = payload.clone().into_message();
    let pushing = std::pin::pin!(session.outbox.push_wait(payload));
    until_ended(session, pushing, kept).await
}

/// Waits for `pushing`, or for the session to end (an ended one is never acked again):
/// then `kept` is handed back. The end wakes the wait itself.
async fn until_ended<F>(
    session: &Session,
    pushing: Pin<&mut F>,
    kept: Message,
) -> Result<u64, Error>
where
    F: Future<Output = Result<u64, ws_batch::OutboxError<Stored>>>,
{
    tokio::select! {
        biased;
        pushed = pushing => pushed.map_err(|error| full(session, error)),
        () = session.ended() => Err(ended(session, kept)),
    }
}

/// The refusal of `message` by a session that ended (closed or expired): it hands the
/// message back, as for a session that never existed.
pub(super) fn ended(session: &Session, message: Message) -> Error {
    Error::UnknownSession { session: session.id, message }
}
