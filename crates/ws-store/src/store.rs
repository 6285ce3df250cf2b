//! [`SessionStore`]: the trait every backend implements.

use crate::changes::{Claim, Lookup, Posted, SessionWrite};
use crate::error::{Refusal, StoreError};
use crate::record::{Epoch, Kind, Lease, SessionKey, SessionRecord, UnixMillis};
use bytes::Bytes;

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

    /// Adds a message to the session's inbox, for its owner (any node may post).
    async fn post(
        &self,
        key: &SessionKey,
        kind: Kind,
        payload: Bytes,
    ) -> Result<Posted, StoreError>;

    /// Removes the session for good (closed by the application).
    async fn remove(&self, lease: &Lease) -> Result<(), StoreError>;

    /// Removes sessions expired at `now` and returns how many (a backend whose keys expire
    /// by themselves returns 0).
    async fn sweep(&self, now: UnixMillis) -> Result<usize, StoreError>;
}
