//! [`Journal`]: one task per server that writes every stored session's noted changes, all
//! sessions of a round in one commit (group commit: one transaction or round trip per
//! round, not per message), and settles each session's outcome.

use super::state::{Draft, DurableSession, Reached};
use super::StoreConfig;
use crate::session_link::lock;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;
use ws_store::{Refusal, SessionKey, SessionStore, SessionWrite, StoreError};

/// Most sessions one round writes.
const ROUND: usize = 1024;

/// The longest wait before retrying a store that failed.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(2);

/// The queue of sessions with changes to write, and its task (started by [`start`](Self::start)).
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    config: StoreConfig,
    sender: UnboundedSender<Arc<DurableSession>>,
    /// The queue's receiving end until the task takes it.
    receiver: Arc<Mutex<Option<UnboundedReceiver<Arc<DurableSession>>>>>,
    /// Sessions with posted messages left in the store's inbox (an outbox was full, a read
    /// failed): the next look at the notices takes them again.
    retries: Arc<Mutex<BTreeSet<SessionKey>>>,
}

impl Journal {
    pub(crate) fn new(config: StoreConfig) -> Self {
        let (sender, receiver) = unbounded_channel();
        let receiver = Arc::new(Mutex::new(Some(receiver)));
        Journal { config, sender, receiver, retries: Arc::default() }
    }

    /// The store, this node, its lease.
    pub(crate) fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// Starts the task, once (on the server's first connection: inside its runtime).
    pub(crate) fn start(&self) {
        if let Some(receiver) = lock(&self.receiver).take() {
            tokio::spawn(run(Arc::clone(&self.config.store), receiver));
        }
    }

    /// Notes that `key`'s inbox still holds posts for this node.
    pub(crate) fn retry_posts(&self, key: SessionKey) {
        lock(&self.retries).insert(key);
    }

    /// The sessions noted by [`retry_posts`](Self::retry_posts), taken.
    pub(crate) fn take_retries(&self) -> BTreeSet<SessionKey> {
        std::mem::take(&mut lock(&self.retries))
    }

    /// Queues `session` for the next round.
    pub(crate) fn queue(&self, session: Arc<DurableSession>) {
        let _stopped_only_with_the_server = self.sender.send(session);
    }
}

/// Writes rounds until every sender is gone; a failed round is retried after a delay that
/// doubles up to [`MAX_RETRY_DELAY`].
async fn run(store: Arc<dyn SessionStore>, mut receiver: UnboundedReceiver<Arc<DurableSession>>) {
    let mut ready = Vec::with_capacity(ROUND);
    let mut delay = Retry::default();
    while receiver.recv_many(&mut ready, ROUND).await > 0 {
        let round = Round::drafted(ready.drain(..));
        let committed = round.sessions.is_empty() || round.commit(store.as_ref()).await;
        delay.after(committed).await;
    }
}

/// The delay before the next round after failures.
#[derive(Debug, Default)]
struct Retry {
    failures: u32,
}

impl Retry {
    /// Waits after a failed round (longer after each), not after a success.
    async fn after(&mut self, committed: bool) {
        self.failures = if committed { 0 } else { self.failures.saturating_add(1) };
        if self.failures > 0 {
            let delay = Duration::from_millis(50).saturating_mul(1 << self.failures.min(6));
            tokio::time::sleep(delay.min(MAX_RETRY_DELAY)).await;
        }
    }
}

/// A session of a round with the marks its write reaches.
struct Drafted {
    session: Arc<DurableSession>,
    reached: Reached,
}

/// The sessions of one round and their writes, in the same order.
#[derive(Default)]
struct Round {
    sessions: Vec<Drafted>,
    writes: Vec<SessionWrite>,
}

impl Round {
    /// Drafts each session's write; a session with nothing new is left out.
    fn drafted(ready: impl Iterator<Item = Arc<DurableSession>>) -> Self {
        let mut round = Round::default();
        for session in ready {
            session.unqueue(); // before drafting: what is noted meanwhile queues it again
            if let Some(draft) = session.draft() {
                round.add(session, draft);
            }
        }
        round
    }

    fn add(&mut self, session: Arc<DurableSession>, draft: Draft) {
        self.writes.push(draft.write);
        self.sessions.push(Drafted { session, reached: draft.reached });
    }

    /// Commits the round; whether the store answered.
    async fn commit(self, store: &dyn SessionStore) -> bool {
        let started = Instant::now();
        let outcomes = store.commit(&self.writes).await;
        crate::metrics::store_commit(store.backend(), started.elapsed(), outcomes.is_ok());
        self.settle(outcomes)
    }

    fn settle(self, outcomes: Result<Vec<Result<(), Refusal>>, StoreError>) -> bool {
        match outcomes {
            Ok(outcomes) => self.applied(outcomes),
            Err(error) => self.failed(&error),
        }
    }

    fn applied(self, outcomes: Vec<Result<(), Refusal>>) -> bool {
        self.sessions.into_iter().zip(outcomes).for_each(|(each, outcome)| match outcome {
            Ok(()) => each.session.written(each.reached),
            Err(refusal) => each.session.refused(&refusal),
        });
        true
    }

    fn failed(self, error: &StoreError) -> bool {
        tracing::error!(%error, sessions = self.sessions.len(), "the session store failed: retrying");
        let sessions = self.sessions.into_iter().zip(self.writes);
        sessions.for_each(|(each, write)| each.session.unwritten(write));
        false
    }
}

#[cfg(test)]
mod tests;
