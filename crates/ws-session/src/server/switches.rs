//! How the server follows its runtime switches (`docs/rollout.md`): the `conn` switch
//! starts and stops the heartbeat and the ghost sweeper; the `batch` fix's outcomes feed
//! its rollback guard.

use super::session::SessionState;
use super::{Inner, SessionServer};
use crate::rollout::{Fix, Outcomes, RolloutEvent};
use crate::session_link::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Weak};
use tokio::sync::broadcast::{error::RecvError, Receiver};
use ws_conn::Maintenance;

/// The registry's heartbeat and sweeper, run while the `conn` switch is on.
#[derive(Debug, Default)]
pub(super) struct Upkeep {
    maintenance: Mutex<Option<Maintenance>>,
    /// Whether a task follows the `conn` switch (started with the first connection).
    following: AtomicBool,
}

impl SessionServer {
    /// On the first connection: applies the `conn` switch and starts following it.
    pub(super) fn ensure_maintenance(&self) {
        if self.inner.upkeep.following.swap(true, Ordering::AcqRel) {
            return;
        }
        let changes = self.inner.config.rollout.events(); // before applying: none missed
        self.start_journal();
        self.inner.apply_conn_switch();
        tokio::spawn(follow_conn_switch(std::sync::Arc::downgrade(&self.inner), changes));
    }

    /// Feeds a push's outcome to the `batch` guard: a full outbox is the fix's failure.
    pub(super) fn batch_outcome(&self, session: &SessionState, queued: bool) {
        self.batch_outcomes(session, Outcomes::one(queued));
    }

    /// Feeds many pushes' outcomes to the `batch` guard at once.
    pub(super) fn batch_outcomes(&self, session: &SessionState, outcomes: Outcomes) {
        if session.resumable {
            self.inner.config.rollout.record_counts(Fix::Batch, outcomes);
        }
    }

    /// Whether the heartbeat and the ghost sweeper run now.
    pub fn is_sweeping(&self) -> bool {
        lock(&self.inner.upkeep.maintenance).as_ref().is_some_and(Maintenance::is_running)
    }
}

impl Inner {
    /// Starts or stops the heartbeat and sweeper to match the `conn` switch.
    fn apply_conn_switch(&self) {
        let mut maintenance = lock(&self.upkeep.maintenance);
        match (self.config.rollout.is_on(Fix::Conn), maintenance.is_some()) {
            (true, false) => *maintenance = Some(self.registry.spawn_maintenance()),
            (false, true) => *maintenance = None, // dropping it stops both tasks
            _ => {}
        }
    }
}

/// Applies every change of the `conn` switch until the server or the switches are gone.
async fn follow_conn_switch(server: Weak<Inner>, mut changes: Receiver<RolloutEvent>) {
    while let Ok(()) | Err(RecvError::Lagged(_)) = changes.recv().await.map(drop) {
        let Some(inner) = server.upgrade() else { return };
        inner.apply_conn_switch();
    }
}
