//! One registered connection: its id, atomic state, liveness, transport and tasks.

use crate::address::AddressSlot;
use crate::{metrics, Activity, AtomicState, ConnError, ConnState, Connection};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use tokio::task::AbortHandle;
use tokio::time::Instant;

/// The id a [`Registry`](crate::Registry) gives a connection; unique within the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(u64);

impl ConnId {
    /// The id with this number (ids count up from 1 in each registry).
    pub const fn from_u64(number: u64) -> Self {
        ConnId(number)
    }

    /// The number of this id.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conn-{}", self.0)
    }
}

/// A connection in the registry. Its state changes only through [`Entry::transition`].
pub(crate) struct Entry {
    pub(crate) id: ConnId,
    state: AtomicState,
    pub(crate) activity: Activity,
    /// Milliseconds from the registry's epoch to entering `Closing`.
    closing_at: AtomicU64,
    pub(crate) conn: Box<dyn Connection>,
    tasks: Mutex<Vec<AbortHandle>>,
    /// The connection of the client's address, given back when the entry is finalized.
    address: Mutex<Option<AddressSlot>>,
}

impl Entry {
    pub(crate) fn new(
        id: ConnId,
        activity: Activity,
        conn: Box<dyn Connection>,
        address: Option<AddressSlot>,
    ) -> Self {
        let closing_at = AtomicU64::new(u64::MAX);
        let state = AtomicState::new();
        let tasks = Mutex::default();
        let address = Mutex::new(address);
        Entry { id, state, activity, closing_at, conn, tasks, address }
    }

    /// Gives back the address's connection (once).
    pub(crate) fn release_address(&self) {
        drop(self.address.lock().unwrap_or_else(PoisonError::into_inner).take());
    }

    pub(crate) fn state(&self) -> ConnState {
        self.state.get()
    }

    /// Moves to `to` from the current state if the table allows it; counts it in the gauges.
    pub(crate) fn transition(&self, to: ConnState) -> Result<ConnState, ConnError> {
        let from = self.state.transition(to).map_err(|from| self.illegal(from, to))?;
        metrics::moved(from, to);
        Ok(from)
    }

    /// Moves `from → to` only if the state is `from` now.
    pub(crate) fn transition_from(&self, from: ConnState, to: ConnState) -> Result<(), ConnError> {
        self.state.transition_from(from, to).map_err(|now| self.illegal(now, to))?;
        metrics::moved(from, to);
        Ok(())
    }

    fn illegal(&self, from: ConnState, to: ConnState) -> ConnError {
        ConnError::IllegalTransition { id: self.id, from, to }
    }

    /// `Active → Closing`, noting when (for the stuck-in-`Closing` rule).
    pub(crate) fn begin_close(&self, epoch: Instant) -> Result<(), ConnError> {
        self.transition_from(ConnState::Active, ConnState::Closing)?;
        self.closing_at.store(millis_since(epoch), Ordering::Release);
        Ok(())
    }

    /// When the connection entered `Closing`, if it did.
    pub(crate) fn closing_since(&self, epoch: Instant) -> Option<Instant> {
        let millis = self.closing_at.load(Ordering::Acquire);
        (millis != u64::MAX).then(|| epoch + std::time::Duration::from_millis(millis))
    }

    /// Adds a task to abort on release; aborts it at once if the entry is already released.
    pub(crate) fn track(&self, task: AbortHandle) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        if self.state() == ConnState::Closed {
            task.abort();
        }
        tasks.push(task);
    }

    /// Drops the socket and aborts the tasks, whatever the peer does.
    pub(crate) fn release(&self) {
        self.conn.force_close();
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        tasks.iter().for_each(AbortHandle::abort);
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry").field("id", &self.id).field("state", &self.state()).finish()
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
}
