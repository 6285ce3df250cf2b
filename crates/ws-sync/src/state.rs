//! The synchronizer's state and its one transition table, applied atomically.

use crate::error::SyncError;
use crate::report::Failure;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The health of a synchronizer, as a health check reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SyncState {
    /// The last sync succeeded (or none ran yet, or the synchronizer was recovered).
    #[default]
    Healthy,
    /// The last sync had warning failures only; the application state is usable.
    Degraded,
    /// A critical callback failed; syncs are refused until `recover()`.
    Error,
}

impl SyncState {
    /// Every state, in order of severity.
    pub const ALL: [SyncState; 3] = [SyncState::Healthy, SyncState::Degraded, SyncState::Error];

    /// A lowercase name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Healthy => "healthy",
            SyncState::Degraded => "degraded",
            SyncState::Error => "error",
        }
    }

    /// Whether syncs are refused in this state.
    pub fn is_error(self) -> bool {
        self == SyncState::Error
    }

    /// The state after a sync whose own verdict is `verdict`: `Error` is left only by
    /// `recover()`, every other state follows the verdict.
    pub fn after_sync(self, verdict: SyncState) -> SyncState {
        match (self, verdict) {
            (SyncState::Error, _) => SyncState::Error,
            (_, verdict) => verdict,
        }
    }
}

/// A state change, reported once it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state before.
    pub from: SyncState,
    /// The state after.
    pub to: SyncState,
}

impl Transition {
    /// The transition a new synchronizer publishes: into `Healthy`.
    pub(crate) fn initial() -> Self {
        Transition { from: SyncState::Healthy, to: SyncState::Healthy }
    }
}

/// The current state and, in `Error`, the failures that caused it.
#[derive(Default)]
struct Current {
    state: SyncState,
    cause: Arc<[Failure]>,
}

/// The state behind one lock; every transition reads and writes it in one critical section.
#[derive(Default)]
pub(crate) struct StateCell {
    current: Mutex<Current>,
}

impl StateCell {
    /// The current state.
    pub(crate) fn get(&self) -> SyncState {
        self.lock().state
    }

    /// Refuses a sync in `Error`, handing back the failures that caused it.
    pub(crate) fn admit(&self) -> Result<(), SyncError> {
        let current = self.lock();
        match current.state {
            SyncState::Error => Err(SyncError::Refused { cause: current.cause.clone() }),
            _ => Ok(()),
        }
    }

    /// Applies a sync's verdict; `publish` runs inside the critical section so observers see
    /// transitions in the order they happened.
    pub(crate) fn settle(
        &self,
        verdict: SyncState,
        cause: impl FnOnce() -> Vec<Failure>,
        publish: impl FnOnce(Transition),
    ) -> SyncState {
        let mut current = self.lock();
        let to = current.state.after_sync(verdict);
        if to.is_error() && !current.state.is_error() {
            current.cause = cause().into();
        }
        Self::apply(&mut current, to, publish)
    }

    /// Leaves `Error` for `Healthy`; returns the failures that caused it, or `None` when the
    /// synchronizer was not in `Error`.
    pub(crate) fn recover(&self, publish: impl FnOnce(Transition)) -> Option<Arc<[Failure]>> {
        let mut current = self.lock();
        if !current.state.is_error() {
            return None;
        }
        let cause = std::mem::take(&mut current.cause);
        Self::apply(&mut current, SyncState::Healthy, publish);
        Some(cause)
    }

    fn apply(current: &mut Current, to: SyncState, publish: impl FnOnce(Transition)) -> SyncState {
        let from = std::mem::replace(&mut current.state, to);
        publish(Transition { from, to });
        to
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
