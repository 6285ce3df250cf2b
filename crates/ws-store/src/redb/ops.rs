//! The store's operations as redb transactions, run synchronously (on the blocking pool).

use super::config::{Policy, RedbConfig};
use super::failed;
use super::group::{self, Group, Pending};
use super::tables::{load_inbox, load_slot, Tables, INBOX, META, NOTICES, OUTBOX, SESSIONS};
use crate::changes::{Lookup, NewPost, Posted, SessionWrite};
use crate::error::{Refusal, StoreError};
use crate::record::{Epoch, Lease, NodeId, SessionKey, UnixMillis};
use crate::slot::Slot;
use ::redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable};
use std::path::Path;

/// The key of the epoch in the metadata table.
const EPOCH: &str = "epoch";

/// An open database with its epoch and commit policy.
pub struct Inner {
    db: Database,
    epoch: Epoch,
    policy: Policy,
    group: Group,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.debug_struct("Inner").field("epoch", &self.epoch).finish_non_exhaustive()
    }
}

impl Inner {
    /// Opens the file at `path`, creating it (and its epoch) if it is new.
    pub fn open(path: &Path, config: &RedbConfig) -> Result<Self, StoreError> {
        let db = config.open(path)?;
        let epoch = ensure_epoch(&db)?;
        let policy = Policy::new(config.durability);
        Ok(Self { db, epoch, policy, group: Group::default() })
    }

    /// The epoch drawn when the file was created.
    pub fn epoch(&self) -> Epoch {
        self.epoch
    }

    /// Runs `job` in one write transaction, committed if it succeeds (and dropped,
    /// so rolled back, if it fails).
    fn write<T>(
        &self,
        job: impl FnOnce(&mut Tables<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut txn = self.db.begin_write().map_err(failed)?;
        txn.set_durability(self.policy.next()).map_err(failed)?;
        let done = job(&mut Tables::open(&txn)?)?;
        txn.commit().map_err(failed)?;
        Ok(done)
    }

    /// Like [`write`](Self::write), but commits only if `job` returns something: a job
    /// that found nothing to do drops the transaction (no commit, no fsync).
    fn write_some<T>(
        &self,
        job: impl FnOnce(&mut Tables<'_>) -> Result<Option<T>, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut txn = self.db.begin_write().map_err(failed)?;
        let done = job(&mut Tables::open(&txn)?)?;
        if done.is_some() {
            txn.set_durability(self.policy.next()).map_err(failed)?;
            txn.commit().map_err(failed)?;
        }
        Ok(done)
    }

    fn read<T>(
        &self,
        job: impl FnOnce(&ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        job(&self.db.begin_read().map_err(failed)?)
    }

    /// See [`SessionStore::load`](crate::SessionStore::load).
    pub fn load(&self, key: &SessionKey, now: UnixMillis) -> Result<Lookup, StoreError> {
        let found = self.read(|txn| load_slot(txn, key))?;
        Ok(found.map_or(Lookup::Missing, |slot| slot.lookup(now, self.epoch)))
    }

    /// The claims and creates waiting for a write transaction.
    pub fn group(&self) -> &Group {
        &self.group
    }

    /// Applies every queued claim and create in one write transaction (see `group.rs`),
    /// each alone if that transaction fails.
    pub fn drain(&self) {
        if !self.group.is_idle() {
            self.apply_group();
        }
    }

    fn apply_group(&self) {
        let mut batch = Vec::new();
        let grouped =
            self.write_some(|tables| group::take_and_apply(tables, &self.group, &mut batch));
        match grouped {
            Ok(outcomes) => group::answer_all(batch, outcomes.unwrap_or_default()),
            Err(_) => self.one_by_one(batch),
        }
    }

    /// Applies each of `batch`, and whatever else waits, in a transaction of its own: a
    /// failure then reaches only the operation that caused it.
    fn one_by_one(&self, mut batch: Vec<Pending>) {
        batch.extend(self.group.take());
        for pending in batch {
            let outcome = self.write(|tables| pending.op.apply(tables));
            pending.answer(outcome);
        }
    }

    /// See [`SessionStore::commit`](crate::SessionStore::commit): every write in one
    /// transaction.
    pub fn commit(&self, writes: &[SessionWrite]) -> Result<Vec<Result<(), Refusal>>, StoreError> {
        self.write(|tables| writes.iter().map(|write| apply(tables, write)).collect())
    }

    /// See [`SessionStore::post`](crate::SessionStore::post).
    pub fn post(&self, key: &SessionKey, post: NewPost) -> Result<Posted, StoreError> {
        self.write(|tables| {
            let mut slot = tables.existing(key)?;
            post.fits(tables.inbox_len(key, slot.next_post)?)?;
            let posted = slot.post(post.kind, post.payload);
            tables.save(&slot)?;
            tables.post(&slot, &posted)?;
            Ok(posted)
        })
    }

    /// See [`SessionStore::notices`](crate::SessionStore::notices).
    pub fn notices(&self, node: &NodeId) -> Result<Vec<SessionKey>, StoreError> {
        self.write(|tables| tables.take_notices(&node.0))
    }

    /// See [`SessionStore::inbox`](crate::SessionStore::inbox).
    pub fn inbox(&self, key: &SessionKey, after: u64) -> Result<Vec<Posted>, StoreError> {
        self.read(|txn| Ok(load_inbox(txn, key, after)?.into()))
    }

    /// See [`SessionStore::remove`](crate::SessionStore::remove).
    pub fn remove(&self, lease: &Lease) -> Result<(), StoreError> {
        self.write(|tables| {
            let slot = tables.existing(&lease.key)?;
            slot.check_fence(lease)?;
            tables.delete(&slot)
        })
    }

    /// See [`SessionStore::sweep`](crate::SessionStore::sweep).
    pub fn sweep(&self, now: UnixMillis) -> Result<usize, StoreError> {
        self.write(|tables| {
            let expired = tables.expired(now)?;
            expired.iter().try_for_each(|slot| tables.delete(slot))?;
            Ok(expired.len())
        })
    }
}

/// Reads the epoch from the metadata table, or draws and keeps one in a new file; creates
/// every table, so read transactions find them.
fn ensure_epoch(db: &Database) -> Result<Epoch, StoreError> {
    let txn = db.begin_write().map_err(failed)?;
    let epoch = stored_epoch(&txn)?;
    txn.open_table(SESSIONS).map_err(failed)?;
    txn.open_table(OUTBOX).map_err(failed)?;
    txn.open_table(INBOX).map_err(failed)?;
    txn.open_table(NOTICES).map_err(failed)?;
    txn.commit().map_err(failed)?;
    Ok(epoch)
}

fn stored_epoch(txn: &::redb::WriteTransaction) -> Result<Epoch, StoreError> {
    let mut meta = txn.open_table(META).map_err(failed)?;
    if let Some(stored) = meta.get(EPOCH).map_err(failed)? {
        return Ok(Epoch(stored.value()));
    }
    let epoch = crate::draw_epoch()?;
    meta.insert(EPOCH, epoch.0).map_err(failed)?;
    Ok(epoch)
}

/// One session's write: refused (the session unchanged) or applied like [`Slot::apply`].
fn apply(tables: &mut Tables<'_>, write: &SessionWrite) -> Result<Result<(), Refusal>, StoreError> {
    let Some(mut slot) = tables.slot(&write.lease.key)? else {
        return Ok(Err(Refusal::Missing));
    };
    if let Err(refusal) = slot.apply(&write.lease, &write.changes) {
        return Ok(Err(refusal));
    }
    store_changes(tables, &slot, &write.changes).map(Ok)
}

/// Writes what [`Slot::apply`] accepted: the record, the appended entries, the trims.
fn store_changes(
    tables: &mut Tables<'_>,
    slot: &Slot,
    changes: &crate::Changes,
) -> Result<(), StoreError> {
    let key = &slot.record.key;
    tables.save(slot)?;
    tables.append(key, &changes.append)?;
    if changes.acked_through.is_some() {
        tables.trim(key, slot.record.progress.acked_through)?;
    }
    changes.inbox_through.map_or(Ok(()), |through| tables.consume(key, through))
}
