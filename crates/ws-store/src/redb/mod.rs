//! [`RedbStore`]: sessions in an embedded [redb](https://docs.rs/redb) file, so a single
//! server that restarts keeps its sessions (feature `redb`).
//!
//! The rules, the durability policies and the epoch are in [`RedbStore`]'s docs.

mod batch;
mod codec;
mod config;
mod group;
mod ops;
mod tables;

pub use config::{Durability, NoFsync, RedbConfig};

use crate::changes::{Claim, Lookup, NewPost, Posted, SessionWrite};
use crate::error::{Refusal, StoreError};
use crate::record::{Epoch, Lease, NodeId, SessionKey, SessionRecord, UnixMillis};
use crate::store::SessionStore;
use group::Op;
use ops::Inner;
use std::path::Path;
use std::sync::Arc;

/// The backend's name in metrics and errors.
const BACKEND: &str = "redb";

/// A redb failure as a [`StoreError::Backend`].
fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend(BACKEND, error)
}

/// Sessions in a redb file, so a single server that restarts keeps them.
///
/// One file holds every session's record, outbox and inbox (see the table layout in
/// `tables.rs`). Each [`commit`](SessionStore::commit) is **one** write transaction for
/// all the sessions it carries, so an outbox flush of many sessions costs one `fsync`.
/// [`claim`](SessionStore::claim)s and [`create`](SessionStore::create)s made at the same
/// time share write transactions too (group commit): a storm of resumes costs one `fsync`
/// per transaction, not per resume, and each call still gets its own outcome (a refused
/// claim leaves the others to commit).
/// redb is synchronous: every transaction runs on tokio's blocking pool
/// ([`tokio::task::spawn_blocking`]), so the calls need a tokio runtime and never block it
/// (under the `simulation` feature, never in a service's build, inline on the calling task
/// instead: a simulated run must not wait on threads).
///
/// # Durability
/// With [`Durability::Fsync`] (the default) a commit that returned is on the disk: it
/// survives the crash of the process and of the machine. **A policy that does not fsync
/// ([`Durability::NoFsync`]) can lose the last commits on a crash**: with
/// [`NoFsync::OsCache`] only on a crash of the machine (power loss, kernel panic), not of
/// the process; with [`NoFsync::Deferred`] on either. What the store promised as durable is
/// then no longer so: use `Fsync` where a confirmed send must survive a power loss.
///
/// # Epoch
/// A file created empty draws a new epoch ([`draw_epoch`](crate::draw_epoch)) and keeps it
/// in a metadata table; a record written under another epoch (copied from another file)
/// loads as [`Lookup::Damaged`] with [`Damage::Epoch`](crate::Damage::Epoch).
#[derive(Debug, Clone)]
pub struct RedbStore {
    inner: Arc<Inner>,
}

impl RedbStore {
    /// Opens the store in the file at `path`, creating the file (with a fresh epoch) if it
    /// does not exist. Blocking: call it before the runtime starts, or on its blocking pool.
    pub fn open(path: impl AsRef<Path>, config: RedbConfig) -> Result<Self, StoreError> {
        let inner = Inner::open(path.as_ref(), &config)?;
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Runs `job` on the database on tokio's blocking pool.
    #[cfg(not(feature = "simulation"))]
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = Arc::clone(&self.inner);
        let joined = tokio::task::spawn_blocking(move || job(&inner)).await;
        joined.map_err(failed)?
    }

    /// Runs `job` on the database inline, on the calling task (feature `simulation`): the
    /// blocking pool's threads finish on the wall clock, which a simulated run must not
    /// depend on. The task blocks for the transaction (and its fsync): a simulation's clock
    /// does not move meanwhile.
    #[cfg(feature = "simulation")]
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        job(&self.inner)
    }

    /// Queues `op` for the next group commit (see `group.rs`), drains the queue on the
    /// blocking pool (inline under `simulation`: the drain applies `op` itself) and waits
    /// for the operation's outcome.
    async fn grouped(&self, op: Op) -> Result<Lease, StoreError> {
        let outcome = self.inner.group().push(op);
        self.run(|inner| {
            inner.drain();
            Ok(())
        })
        .await?;
        outcome.await.map_err(failed)?
    }
}

#[async_trait::async_trait]
impl SessionStore for RedbStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn epoch(&self) -> Result<Epoch, StoreError> {
        Ok(self.inner.epoch())
    }

    async fn create(&self, record: &SessionRecord) -> Result<Lease, StoreError> {
        self.grouped(Op::Create(record.clone())).await
    }

    async fn load(&self, key: &SessionKey, now: UnixMillis) -> Result<Lookup, StoreError> {
        let key = *key;
        self.run(move |inner| inner.load(&key, now)).await
    }

    async fn claim(&self, claim: &Claim, now: UnixMillis) -> Result<Lease, StoreError> {
        self.grouped(Op::Claim { claim: claim.clone(), now }).await
    }

    async fn commit(
        &self,
        writes: &[SessionWrite],
    ) -> Result<Vec<Result<(), Refusal>>, StoreError> {
        let owned = writes.to_vec();
        let commit = self.run(move |inner| inner.commit(&owned));
        crate::observe::observe_commit(BACKEND, writes.len(), commit).await
    }

    async fn post(&self, key: &SessionKey, post: NewPost) -> Result<Posted, StoreError> {
        let key = *key;
        self.run(move |inner| inner.post(&key, post)).await
    }

    async fn notices(&self, node: &NodeId) -> Result<Vec<SessionKey>, StoreError> {
        let node = node.clone();
        self.run(move |inner| inner.notices(&node)).await
    }

    async fn inbox(&self, key: &SessionKey, after: u64) -> Result<Vec<Posted>, StoreError> {
        let key = *key;
        self.run(move |inner| inner.inbox(&key, after)).await
    }

    async fn remove(&self, lease: &Lease) -> Result<(), StoreError> {
        let lease = lease.clone();
        self.run(move |inner| inner.remove(&lease)).await
    }

    async fn sweep(&self, now: UnixMillis) -> Result<usize, StoreError> {
        self.run(move |inner| inner.sweep(now)).await
    }
}
