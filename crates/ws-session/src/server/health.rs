//! The server's built-in health checks for ws-monitor (feature `monitor`): ghost
//! connections, dead letters, full outboxes, and the state synchronizer.

use super::SessionServer;
use crate::health::ZeroCheck;
use ws_conn::ConnState;
use ws_monitor::{Monitor, MonitorError};

/// The warning checks; each must stay at 0.
const CHECKS: [ZeroCheck<SessionServer>; 3] = [
    ZeroCheck {
        name: "server.ghost_connections",
        what: "connections failed and not swept yet",
        read: failed_connections,
    },
    ZeroCheck { name: "server.dead_letters", what: "messages dead-lettered", read: dead_letters },
    ZeroCheck {
        name: "server.outbox_depth",
        what: "sessions whose outbox is full",
        read: full_outboxes,
    },
];

impl SessionServer {
    /// Registers the server's checks in `monitor`: `server.ghost_connections`,
    /// `server.dead_letters`, `server.outbox_depth` (warnings, each must be 0) and, with a
    /// synchronizer configured, `server.sync_state` (critical).
    pub fn register_checks(&self, monitor: &mut Monitor) -> Result<(), MonitorError> {
        for check in &CHECKS {
            check.register(monitor, self.rollout(), self.clone())?;
        }
        self.register_sync_check(monitor)
    }

    #[cfg(feature = "sync")]
    fn register_sync_check(&self, monitor: &mut Monitor) -> Result<(), MonitorError> {
        let Some(sync) = self.inner.config.hooks.sync.clone() else { return Ok(()) };
        let rollout = self.rollout().clone();
        let check = ws_monitor::from_fn(move || crate::health::sync_check(&sync, &rollout));
        let critical = ws_core::Criticality::Critical;
        monitor.register("server.sync_state", critical, crate::health::CHECK_TIMEOUT, check)?;
        Ok(())
    }

    #[cfg(not(feature = "sync"))]
    fn register_sync_check(&self, _monitor: &mut Monitor) -> Result<(), MonitorError> {
        Ok(())
    }
}

fn failed_connections(server: &SessionServer) -> f64 {
    server.inner.registry.count(ConnState::Failed) as f64
}

fn dead_letters(server: &SessionServer) -> f64 {
    server.inner.sessions.outbox_base().dead_letters() as f64
}

fn full_outboxes(server: &SessionServer) -> f64 {
    let limit = usize::try_from(server.inner.config.limits.max_unacked).unwrap_or(usize::MAX);
    let sessions = server.inner.sessions.all();
    sessions.iter().filter(|session| session.outbox.stats().len() >= limit).count() as f64
}
