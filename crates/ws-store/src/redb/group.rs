//! Group commit: the claims and creates that wait for redb's write lock at the same time
//! share one write transaction (one `fsync`), each with its own outcome.
//!
//! Each call queues its operation and runs [`Inner::drain`](super::ops::Inner::drain) on
//! the blocking pool. A drain takes the queue only once it holds the write transaction, so
//! while one transaction commits, every operation queued meanwhile waits for the next one,
//! which the first drain to get the lock applies whole; the drains behind it find the
//! queue empty and drop their transaction unused (no commit, no fsync). A call's own
//! drain returns only after its operation was taken by a transaction that has committed
//! or failed, so its answer is sent or on its way.
//!
//! An operation refuses ([`StoreError::Refused`]) before it writes anything, so a refusal
//! leaves the transaction to the others. Any other failure aborts the shared transaction,
//! and then each operation is applied again alone, in a transaction of its own.

use super::tables::Tables;
use crate::changes::Claim;
use crate::error::StoreError;
use crate::record::{Lease, SessionRecord, UnixMillis};
use crate::slot::Slot;
use crate::Refusal;
use std::sync::{Mutex, PoisonError};
use tokio::sync::oneshot;

/// An operation that waits for the group's next write transaction.
#[derive(Debug)]
pub enum Op {
    /// [`SessionStore::create`](crate::SessionStore::create).
    Create(SessionRecord),
    /// [`SessionStore::claim`](crate::SessionStore::claim) as of `now`.
    Claim {
        /// The claim.
        claim: Claim,
        /// Its time.
        now: UnixMillis,
    },
}

impl Op {
    /// Applies the operation in `tables`; a refusal writes nothing.
    pub fn apply(&self, tables: &mut Tables<'_>) -> Result<Lease, StoreError> {
        let slot = match self {
            Self::Create(record) => fresh(tables, record)?,
            Self::Claim { claim, now } => claimed(tables, claim, *now)?,
        };
        tables.save(&slot)?;
        Ok(slot.lease())
    }
}

/// The slot of a new session, refused if the key is taken.
fn fresh(tables: &Tables<'_>, record: &SessionRecord) -> Result<Slot, StoreError> {
    if tables.slot(&record.key)?.is_some() {
        return Err(Refusal::Exists.into());
    }
    Ok(Slot::new(record.clone()))
}

/// The session's slot after `claim`, refused as [`Slot::claim`] refuses; the previous
/// owner's notice passes to the new owner.
fn claimed(tables: &mut Tables<'_>, claim: &Claim, now: UnixMillis) -> Result<Slot, StoreError> {
    let mut slot = tables.existing(&claim.key)?;
    let previous = slot.record.owner.node.clone();
    slot.claim(claim, now)?;
    tables.pass_notice(&previous.0, &claim.node.0, &claim.key)?;
    Ok(slot)
}

/// A queued operation and where its outcome goes.
#[derive(Debug)]
pub struct Pending {
    /// The operation.
    pub op: Op,
    reply: oneshot::Sender<Result<Lease, StoreError>>,
}

impl Pending {
    /// Sends the outcome; a caller that stopped waiting has nothing left to tell.
    pub fn answer(self, outcome: Result<Lease, StoreError>) {
        drop(self.reply.send(outcome));
    }
}

/// The operations waiting for the next write transaction.
#[derive(Debug, Default)]
pub struct Group {
    waiting: Mutex<Vec<Pending>>,
}

impl Group {
    /// Queues `op`; its outcome comes on the receiver once a drain applied it.
    pub fn push(&self, op: Op) -> oneshot::Receiver<Result<Lease, StoreError>> {
        let (reply, outcome) = oneshot::channel();
        self.lock().push(Pending { op, reply });
        outcome
    }

    /// Every operation waiting now, in the order queued.
    pub fn take(&self) -> Vec<Pending> {
        std::mem::take(&mut *self.lock())
    }

    /// Whether nothing waits.
    pub fn is_idle(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Takes every waiting operation into `batch` and applies them in `tables`: their
/// outcomes (`None` when nothing waited: nothing to commit), or the first failure that is
/// not a refusal (which must abort the transaction: that operation may have written part
/// of its change).
pub fn take_and_apply(
    tables: &mut Tables<'_>,
    group: &Group,
    batch: &mut Vec<Pending>,
) -> Result<Option<Vec<Result<Lease, StoreError>>>, StoreError> {
    *batch = group.take();
    if batch.is_empty() {
        return Ok(None);
    }
    let outcomes = batch.iter().map(|pending| refusal_kept(pending.op.apply(tables)));
    outcomes.collect::<Result<_, _>>().map(Some)
}

/// Sends each operation of `batch` its outcome, in order.
pub fn answer_all(batch: Vec<Pending>, outcomes: Vec<Result<Lease, StoreError>>) {
    for (pending, outcome) in batch.into_iter().zip(outcomes) {
        pending.answer(outcome);
    }
}

/// An operation's outcome for the group: kept if it succeeded or was refused, the group's
/// failure otherwise.
fn refusal_kept(
    outcome: Result<Lease, StoreError>,
) -> Result<Result<Lease, StoreError>, StoreError> {
    match outcome {
        Err(error) if error.refusal().is_none() => Err(error),
        kept => Ok(kept),
    }
}
