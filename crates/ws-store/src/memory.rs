//! [`MemoryStore`]: sessions in this process's memory, shared by every server built on it.
//!
//! What a server without a store does already (its session table is in memory); as a
//! store it lets a server that is dropped and rebuilt in the same process, or several
//! servers in one process (tests, the simulation), share sessions. Nothing survives the
//! process.

use crate::changes::{Claim, Lookup, NewPost, Posted, SessionWrite};
use crate::error::{Refusal, StoreError};
use crate::notices::Notices;
use crate::record::{Epoch, Lease, NodeId, SessionKey, SessionRecord, UnixMillis};
use crate::slot::Slot;
use crate::store::SessionStore;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// The hasher of the map: std's randomly keyed one; fixed under the `simulation` feature.
#[cfg(not(feature = "simulation"))]
type MapHasher = std::collections::hash_map::RandomState;
#[cfg(feature = "simulation")]
use crate::simulation::MapHasher;

/// Sessions in this process's memory: nothing survives the process. What a server
/// without a store does already; as a store it lets servers rebuilt in the same process,
/// or several servers in one process (tests, the simulation), share sessions.
#[derive(Debug)]
pub struct MemoryStore {
    epoch: Epoch,
    slots: Mutex<HashMap<SessionKey, Slot, MapHasher>>,
    /// Per node, the sessions it owns that were posted to since it last looked.
    notices: Mutex<Notices>,
}

impl MemoryStore {
    /// An empty store with a fresh epoch.
    pub fn new() -> Result<Self, StoreError> {
        Ok(Self { epoch: crate::draw_epoch()?, slots: Mutex::default(), notices: Mutex::default() })
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<SessionKey, Slot, MapHasher>> {
        self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn notices_of(&self) -> MutexGuard<'_, Notices> {
        self.notices.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies one session's write, or refuses it.
    fn apply(&self, write: &SessionWrite) -> Result<(), Refusal> {
        match self.slots().get_mut(&write.lease.key) {
            Some(slot) => slot.apply(&write.lease, &write.changes),
            None => Err(Refusal::Missing),
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn epoch(&self) -> Result<Epoch, StoreError> {
        Ok(self.epoch)
    }

    async fn create(&self, record: &SessionRecord) -> Result<Lease, StoreError> {
        let mut slots = self.slots();
        if slots.contains_key(&record.key) {
            return Err(Refusal::Exists.into());
        }
        let slot = Slot::new(record.clone());
        let lease = slot.lease();
        slots.insert(record.key, slot);
        Ok(lease)
    }

    async fn load(&self, key: &SessionKey, now: UnixMillis) -> Result<Lookup, StoreError> {
        let slots = self.slots();
        let found = slots.get(key).map(|slot| slot.lookup(now, self.epoch));
        Ok(found.unwrap_or(Lookup::Missing))
    }

    async fn claim(&self, claim: &Claim, now: UnixMillis) -> Result<Lease, StoreError> {
        let mut slots = self.slots();
        let slot = slots.get_mut(&claim.key).ok_or(Refusal::Missing)?;
        let previous = slot.record.owner.node.clone();
        let lease = slot.claim(claim, now)?;
        self.notices_of().pass(&previous, &claim.node, &claim.key);
        Ok(lease)
    }

    async fn commit(
        &self,
        writes: &[SessionWrite],
    ) -> Result<Vec<Result<(), Refusal>>, StoreError> {
        let commit = async { Ok(writes.iter().map(|write| self.apply(write)).collect()) };
        crate::observe::observe_commit("memory", writes.len(), commit).await
    }

    async fn post(&self, key: &SessionKey, post: NewPost) -> Result<Posted, StoreError> {
        let mut slots = self.slots();
        let slot = slots.get_mut(key).ok_or(Refusal::Missing)?;
        post.fits(slot.inbox.len())?;
        self.notices_of().leave(&slot.record.owner.node, *key);
        Ok(slot.post(post.kind, post.payload))
    }

    async fn notices(&self, node: &NodeId) -> Result<Vec<SessionKey>, StoreError> {
        Ok(self.notices_of().take(node))
    }

    async fn inbox(&self, key: &SessionKey, after: u64) -> Result<Vec<Posted>, StoreError> {
        let slots = self.slots();
        let posted = slots.get(key).map(|slot| slot.posted_after(after));
        Ok(posted.unwrap_or_default())
    }

    async fn remove(&self, lease: &Lease) -> Result<(), StoreError> {
        let mut slots = self.slots();
        let slot = slots.get(&lease.key).ok_or(Refusal::Missing)?;
        slot.check_fence(lease)?;
        self.notices_of().forget(&lease.node, &lease.key);
        slots.remove(&lease.key);
        Ok(())
    }

    async fn sweep(&self, now: UnixMillis) -> Result<usize, StoreError> {
        let mut slots = self.slots();
        let before = slots.len();
        let mut notices = self.notices_of();
        slots.retain(|_, slot| kept(slot, now, &mut notices));
        Ok(before - slots.len())
    }
}

/// Whether a sweep at `now` keeps `slot`; a session it drops takes its notice along.
fn kept(slot: &Slot, now: UnixMillis, notices: &mut Notices) -> bool {
    if !slot.expired(now) {
        return true;
    }
    notices.forget(&slot.record.owner.node, &slot.record.key);
    false
}
