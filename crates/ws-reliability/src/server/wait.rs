//! [`ReliableServer::send_wait`]: a send that waits for room in the session's outbox
//! instead of refusing, the backpressure a `Sink`'s `feed` gives.

use super::session::Session;
use super::{full, ReliableServer};
use crate::error::Error;
use crate::link::Stored;
use crate::protocol::SessionId;
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use tokio_tungstenite::tungstenite::Message;

/// How often a [`ReliableServer::send_wait`] waiting for room checks its session still exists.
const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_millis(250);

impl ReliableServer {
    /// Queues `message` for `session` like [`send`](Self::send), but waits while the
    /// session's outbox is full (until the client acks) instead of refusing it: the
    /// backpressure a `Sink`'s `feed` gives. Refused, the message handed back, when the
    /// session is unknown or ends while waiting, or when the message is not data or too
    /// large. Cancel-safe: dropping the future queues nothing.
    pub async fn send_wait(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let queued = self.send_waiting(session, message).await;
        queued.inspect_err(|error| crate::metrics::send_refused(error.label()))
    }

    async fn send_waiting(&self, session: SessionId, message: Message) -> Result<u64, Error> {
        let Some(target) = self.inner.sessions.get(&session) else {
            return Err(Error::UnknownSession { session, message });
        };
        let payload = self.payload(message)?;
        let seq = self.wait_for_room(&target, payload).await?;
        self.batch_outcome(&target, true); // waiting is the policy here, not a failure
        target.pushed(seq);
        Ok(seq)
    }

    /// Pushes `payload`, waiting for room. The first try needs no timer and no copy of the
    /// message: only a push that must wait keeps one (a refcount) to hand back.
    async fn wait_for_room(&self, session: &Session, payload: Stored) -> Result<u64, Error> {
        match session.outbox.push_if_room(payload) {
            ControlFlow::Break(pushed) => pushed.map_err(|error| full(session, error)),
            ControlFlow::Continue(payload) => {
                let kept = payload.clone().into_message();
                let pushing = std::pin::pin!(session.outbox.push_wait(payload));
                self.rechecking(session, pushing, &kept).await
            }
        }
    }

    /// Waits for `pushing`, checking now and then that the session still exists (an
    /// expired one is never acked again): if not, `kept` is handed back.
    async fn rechecking<F>(
        &self,
        session: &Session,
        mut pushing: Pin<&mut F>,
        kept: &Message,
    ) -> Result<u64, Error>
    where
        F: Future<Output = Result<u64, ws_batch::OutboxError<Stored>>>,
    {
        loop {
            tokio::select! {
                pushed = &mut pushing => return pushed.map_err(|error| full(session, error)),
                () = tokio::time::sleep(SESSION_RECHECK) => self.still_live(session.id, kept)?,
            }
        }
    }

    fn still_live(&self, session: SessionId, message: &Message) -> Result<(), Error> {
        match self.inner.sessions.get(&session) {
            Some(_) => Ok(()),
            None => Err(Error::UnknownSession { session, message: message.clone() }),
        }
    }
}
