//! Messages for a session another node runs: [`SessionServer::post`] adds them to the
//! session's inbox in the store, which leaves its owner a notice; each node takes its
//! notices every `StoreConfig::notice_poll` and moves the posts into the sessions' outboxes
//! (`DurableSession::take_posts`). The inbox is the log: a notice only wakes the owner,
//! and a session claimed by another node brings its inbox along (`restore`).

use super::convert::kind_of;
use super::StoreConfig;
use crate::error::Error;
use crate::protocol::SessionId;
use crate::server::{Inner, SessionServer};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_store::{NewPost, Refusal, SessionKey, StoreError};

/// Where [`SessionServer::post`] put a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// The session runs on this node: queued as this sequence number, and committed to
    /// the store when the server keeps one.
    Here {
        /// Its sequence number.
        seq: u64,
    },
    /// The session runs on another node (or on none, between connections): the message
    /// waits in the session's inbox in the store, as post `id`, until its owner moves it
    /// into the outbox.
    Posted {
        /// Its place in the inbox.
        id: u64,
    },
}

impl SessionServer {
    /// Sends `message` to `session` wherever it runs. On this node: queued like
    /// [`send_wait`](Self::send_wait) (waiting for room), and with a store, resolved once
    /// the store committed it (a durable send, else [`Error::NotDurable`]). On another
    /// node sharing the store: added to the session's inbox there, for its owner to send
    /// (within about `StoreConfig::notice_poll`); a crash of either node loses nothing
    /// (`docs/durability.md`). Refused with [`Error::UnknownSession`] when neither this
    /// node nor the store has the session, [`Error::Store`] when the store failed or
    /// refused (the session's inbox holds `StoreConfig::max_inbox` posts:
    /// `Refusal::InboxFull`); the message is handed back in each.
    pub async fn post(&self, session: SessionId, message: Message) -> Result<Delivery, Error> {
        if self.inner.sessions.get(&session).is_some() {
            return self.post_here(session, message).await;
        }
        let Some(journal) = self.inner.sessions.journal() else {
            return Err(Error::UnknownSession { session, message });
        };
        self.post_to_store(journal.config(), session, message).await
    }

    async fn post_here(&self, session: SessionId, message: Message) -> Result<Delivery, Error> {
        let seq = self.send_wait(session, message).await?;
        let durable = self.inner.sessions.get(&session).and_then(|state| state.durable().cloned());
        let Some(durable) = durable else { return Ok(Delivery::Here { seq }) };
        let committed = durable.committed(seq).await;
        committed.then_some(Delivery::Here { seq }).ok_or(Error::NotDurable { session })
    }

    async fn post_to_store(
        &self,
        config: &StoreConfig,
        session: SessionId,
        message: Message,
    ) -> Result<Delivery, Error> {
        let stored = self.payload(message.clone())?;
        let payload = Bytes::copy_from_slice(stored.as_bytes());
        let key = SessionKey(*session.as_bytes());
        let post = NewPost { kind: kind_of(&stored), payload, max_inbox: config.max_inbox };
        let posted = config.store.post(&key, post).await;
        crate::metrics::posted(posted.is_ok());
        let refused = |source| post_refused(PostRefused { session, source, message });
        posted.map(|posted| Delivery::Posted { id: posted.id }).map_err(refused)
    }
}

/// A post the store did not take.
struct PostRefused {
    session: SessionId,
    source: StoreError,
    message: Message,
}

/// The error of a refused post: the session is unknown to the store, or the store failed.
fn post_refused(refused: PostRefused) -> Error {
    let PostRefused { session, source, message } = refused;
    match source.refusal() {
        Some(Refusal::Missing) => Error::UnknownSession { session, message },
        _ => Error::Store { session, source, message },
    }
}

/// Takes this node's notices every `every` until the server is gone.
pub(super) async fn take_notices(server: Weak<Inner>, every: Duration) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(inner) = server.upgrade() else { return };
        inner.take_notices().await;
    }
}

impl Inner {
    /// Moves the posts of the sessions in this node's notices (and of those left from the
    /// last look) into their outboxes.
    async fn take_notices(&self) {
        let Some(journal) = self.sessions.journal() else { return };
        let mut due = journal.take_retries();
        due.extend(noticed(journal.config()).await);
        for key in due {
            let left = self.take_posts_of(journal.config(), key).await;
            left.into_iter().for_each(|key| journal.retry_posts(key));
        }
    }

    /// Moves `key`'s posts into its outbox if the session runs here (else they wait in
    /// the store for the node that claims it); `Some(key)` when some are left.
    async fn take_posts_of(&self, config: &StoreConfig, key: SessionKey) -> Option<SessionKey> {
        let session = self.sessions.get(&SessionId::from_bytes(key.0))?;
        let durable = Arc::clone(session.durable()?);
        let Ok(posted) = read_inbox(config, &key, durable.posts_taken()).await else {
            return Some(key);
        };
        let taken = durable.take_posts(&posted);
        taken.last_seq.into_iter().for_each(|seq| session.pushed(seq));
        (!taken.complete).then_some(key)
    }
}

/// The posts of `key` after `after`; a failure is counted.
async fn read_inbox(
    config: &StoreConfig,
    key: &SessionKey,
    after: u64,
) -> Result<Vec<ws_store::Posted>, StoreError> {
    let posted = config.store.inbox(key, after).await;
    posted.inspect_err(|_| crate::metrics::store_failed("inbox"))
}

/// This node's notices, taken from the store (none when it failed: counted, and the
/// posts wait in the inbox for the next notice or the next claim).
async fn noticed(config: &StoreConfig) -> Vec<SessionKey> {
    let noticed = config.store.notices(&config.node).await;
    noticed.inspect_err(|_| crate::metrics::store_failed("notices")).unwrap_or_default()
}
