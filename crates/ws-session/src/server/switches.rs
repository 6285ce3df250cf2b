//! How the server follows its runtime switches (`docs/rollout.md`): [`Upkeep`], the `conn`
//! switch starting and stopping the heartbeat and the ghost sweeper; [`record_batch`], the
//! `batch` fix's outcomes fed to its rollback guard.

use super::session::SessionState;
use crate::rollout::{Fix, Outcomes, Rollout, RolloutEvent};
use crate::session_link::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast::{error::RecvError, Receiver};
use ws_conn::{Maintenance, Registry};

/// The registry's heartbeat and sweeper, run while the `conn` switch is on: started with
/// the server's first connection, then following every change of the switch.
#[derive(Debug)]
pub(super) struct Upkeep {
    switched: Arc<Switched>,
    /// Whether a task follows the `conn` switch (started with the first connection).
    following: AtomicBool,
}

/// The maintenance and what switches it: shared with the task following the switch.
#[derive(Debug)]
struct Switched {
    maintenance: Mutex<Option<Maintenance>>,
    registry: Registry,
    rollout: Rollout,
}

impl Upkeep {
    /// The upkeep of `registry` under the `conn` switch of `rollout`; nothing runs yet.
    pub(super) fn new(registry: &Registry, rollout: &Rollout) -> Self {
        let maintenance = Mutex::new(None);
        let switched =
            Switched { maintenance, registry: registry.clone(), rollout: rollout.clone() };
        Upkeep { switched: Arc::new(switched), following: AtomicBool::new(false) }
    }

    /// On the first call: applies the `conn` switch and starts following it; `true` that
    /// first time only.
    pub(super) fn start(&self) -> bool {
        if self.following.swap(true, Ordering::AcqRel) {
            return false;
        }
        let changes = self.switched.rollout.events(); // before applying: none missed
        self.switched.apply();
        tokio::spawn(follow(Arc::downgrade(&self.switched), changes));
        true
    }

    /// Whether the heartbeat and the ghost sweeper run now.
    pub(super) fn is_running(&self) -> bool {
        lock(&self.switched.maintenance).as_ref().is_some_and(Maintenance::is_running)
    }
}

impl Switched {
    /// Starts or stops the heartbeat and sweeper to match the `conn` switch.
    fn apply(&self) {
        let mut maintenance = lock(&self.maintenance);
        match (self.rollout.is_on(Fix::Conn), maintenance.is_some()) {
            (true, false) => *maintenance = Some(self.registry.spawn_maintenance()),
            (false, true) => *maintenance = None, // dropping it stops both tasks
            _ => {}
        }
    }
}

/// Applies every change of the `conn` switch until the server or the switches are gone.
async fn follow(switched: Weak<Switched>, mut changes: Receiver<RolloutEvent>) {
    while let Ok(()) | Err(RecvError::Lagged(_)) = changes.recv().await.map(drop) {
        let Some(switched) = switched.upgrade() else { return };
        switched.apply();
    }
}

/// Feeds pushes' outcomes into `session` to the `batch` guard of `rollout`: a full outbox
/// is the fix's failure. Only sessions with the fix count.
pub(super) fn record_batch(rollout: &Rollout, session: &SessionState, outcomes: Outcomes) {
    if session.resumable {
        rollout.record_counts(Fix::Batch, outcomes);
    }
}
