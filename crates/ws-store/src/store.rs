//! [`SessionStore`]: the trait every backend implements.

use crate::changes::{Claim, Lookup, NewPost, Posted, SessionWrite};
use crate::error::{Refusal, StoreError};
use crate::record::{Epoch, Lease, NodeId, SessionKey, SessionRecord, UnixMillis};

/// Where sessions live between connections, processes and nodes.
///
/// The server writes a session when it is created, when messages are queued for the client
/// and when acks arrive ([`commit`](Self::commit), batched: one call per outbox flush, many
/// sessions at once), and loads it when a client resumes a session this process does not
/// hold. Every write carries the writer's [`Lease`]; a [`claim`](Self::claim) by another
/// node raises the generation, and the older lease's writes are refused
/// ([`Refusal::Fenced`]). Stores check what they hand out: a record from another epoch or
/// an outbox with a gap is [`Lookup::Damaged`], never a partial resume.
#[async_trait::async_trait]
pub trait SessionStore: std::fmt::Debug + Send + Sync {
    /// The backend's name, for metrics and errors: `memory`, `redb`, `redis`.
    fn backend(&self) -> &'static str;

    /// The store's epoch: drawn when the store was created empty, the same until it is.
    async fn epoch(&self) -> Result<Epoch, StoreError>;

    /// Creates `record` (its `owner` holds generation 1): [`Refusal::Exists`] if the key is
    /// taken.
    async fn create(&self, record: &SessionRecord) -> Result<Lease, StoreError>;

    /// The session under `key` as of `now`, with its outbox and inbox.
    async fn load(&self, key: &SessionKey, now: UnixMillis) -> Result<Lookup, StoreError>;

    /// Takes the session over for `claim.node` (see [`Claim`]), as of `now`.
    async fn claim(&self, claim: &Claim, now: UnixMillis) -> Result<Lease, StoreError>;

    /// Applies each session's changes atomically, in one round trip or transaction for
    /// all: the answer says per write (in order) whether it was applied or refused.
    async fn commit(&self, writes: &[SessionWrite])
        -> Result<Vec<Result<(), Refusal>>, StoreError>;

    /// Adds a message to the session's inbox, for its owner (any node may post), and
    /// leaves the owner a notice (see [`notices`](Self::notices)), in one atomic step;
    /// [`Refusal::InboxFull`] when the inbox already holds `post.max_inbox` messages.
    async fn post(&self, key: &SessionKey, post: NewPost) -> Result<Posted, StoreError>;

    /// The sessions owned by `node` that were posted to since its last call, each once,
    /// in key order. A notice only wakes the owner: the messages stay in the inbox until a
    /// [`commit`](Self::commit) moves them (`Changes::inbox_through`), so an owner that
    /// dies after taking a notice loses nothing (the next owner loads the inbox). A notice
    /// follows its session: a [`claim`](Self::claim) passes it to the new owner, and
    /// [`remove`](Self::remove) and [`sweep`](Self::sweep) take it along, so a node that
    /// never asks again (gone for good) is not left notices of sessions that are gone.
    async fn notices(&self, node: &NodeId) -> Result<Vec<SessionKey>, StoreError>;

    /// The session's posted messages with ids above `after`, in order (empty for a
    /// session the store does not have).
    async fn inbox(&self, key: &SessionKey, after: u64) -> Result<Vec<Posted>, StoreError>;

    /// Removes the session for good (closed by the application).
    async fn remove(&self, lease: &Lease) -> Result<(), StoreError>;

    /// Removes sessions expired at `now` and returns how many (a backend whose keys expire
    /// by themselves returns 0).
    async fn sweep(&self, now: UnixMillis) -> Result<usize, StoreError>;
}
