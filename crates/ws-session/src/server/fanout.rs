//! [`SessionServer::broadcast`]: one message queued for many sessions, each refusal
//! reported with the message handed back.

use super::SessionServer;
use crate::error::Error;
use crate::protocol::SessionId;
use tokio_tungstenite::tungstenite::Message;

/// Who a broadcast goes to.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Every live session.
    All,
    /// These sessions.
    Sessions(&'a [SessionId]),
}

/// What a broadcast did: how many sessions queued the message, and each refusal.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BroadcastReport {
    /// Sessions whose outbox took the message.
    pub queued: usize,
    /// Sessions that refused it, with why (each error hands the message back).
    pub refused: Vec<Error>,
}

impl SessionServer {
    /// Queues `message` for every session of `target`; reports each refusal.
    pub fn broadcast(&self, target: Target<'_>, message: Message) -> BroadcastReport {
        let ids = match target {
            Target::All => self.inner.sessions.ids(),
            Target::Sessions(ids) => ids.to_vec(),
        };
        let outcomes = ids.into_iter().map(|id| self.send(id, message.clone()));
        outcomes.fold(BroadcastReport::default(), BroadcastReport::add)
    }
}

impl BroadcastReport {
    fn add(mut self, outcome: Result<u64, Error>) -> Self {
        match outcome {
            Ok(_) => self.queued += 1,
            Err(error) => self.refused.push(error),
        }
        self
    }
}
