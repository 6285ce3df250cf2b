//! The background sweeper and heartbeat, and graceful shutdown.

use super::Registry;
use crate::entry::Entry;
use crate::{CloseCode, CloseFrame, ConnEvent, ConnState, ForceCause};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::AbortHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::Instrument;
use ws_core::capped_delay;

/// The background sweeper and heartbeat of a registry; dropping it stops both.
#[derive(Debug)]
#[must_use = "dropping the handle stops the sweeper and the heartbeat"]
pub struct Maintenance {
    tasks: [AbortHandle; 2],
}

impl Maintenance {
    /// Stops the sweeper and the heartbeat.
    pub fn stop(self) {}

    /// Whether the sweeper and the heartbeat both still run: a health check can watch it.
    pub fn is_running(&self) -> bool {
        self.tasks.iter().all(|task| !task.is_finished())
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.tasks.iter().for_each(AbortHandle::abort);
    }
}

/// What a graceful shutdown did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Connections the shutdown closed gracefully before the deadline (closes the
    /// application had begun are awaited but not counted here).
    pub closed: usize,
    /// Connections force-closed at the deadline (peers that never answered, and
    /// connections that were already failing).
    pub force_closed: usize,
}

impl Registry {
    /// Starts the sweeper (every `sweep_interval`) and the heartbeat (every
    /// `heartbeat_interval`) on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime (as `tokio::spawn` does).
    pub fn spawn_maintenance(&self) -> Maintenance {
        let sweeper = tokio::spawn(self.clone().sweep_forever()).abort_handle();
        let heartbeat = tokio::spawn(self.clone().heartbeat_forever()).abort_handle();
        Maintenance { tasks: [sweeper, heartbeat] }
    }

    async fn sweep_forever(self) {
        let mut ticks = ticker(self.inner.config.sweep_interval);
        loop {
            ticks.tick().await;
            self.sweep_once();
            self.prune_addresses();
        }
    }

    async fn heartbeat_forever(self) {
        let mut ticks = ticker(self.inner.config.heartbeat_interval);
        loop {
            ticks.tick().await;
            self.heartbeat_once().await;
        }
    }

    /// Refuses new connections, closes every `Active` one with 1001 (going away) and waits
    /// for them until `grace` ends; closes the application had already begun get the same
    /// time to finish. Then it force-closes everything left. Afterwards the registry is
    /// empty, and stays so: a connection admitted before and registered after is
    /// force-closed at once.
    pub async fn shutdown(&self, grace: Duration) -> ShutdownReport {
        self.inner.slots.close();
        let mut events = self.subscribe();
        let span = tracing::info_span!("ws_conn.shutdown", ?grace);
        let deadline = Instant::now() + capped_delay(grace);
        let closed = self.close_all_by(deadline).instrument(span.clone()).await;
        self.await_closing(&mut events, deadline).instrument(span).await;
        let force_closed = self.force_all(ForceCause::Shutdown);
        ShutdownReport { closed, force_closed }
    }

    /// Waits until no connection is `Closing` (the closes already in flight answered,
    /// failed or timed out), woken by `events`; at most until `deadline`, and no longer
    /// than one close timeout, after which a connection still `Closing` is stuck.
    async fn await_closing(&self, events: &mut broadcast::Receiver<ConnEvent>, deadline: Instant) {
        let stuck_at = Instant::now() + capped_delay(self.inner.config.close_timeout);
        while self.count(ConnState::Closing) > 0 {
            let woke = tokio::time::timeout_at(deadline.min(stuck_at), events.recv()).await;
            if matches!(woke, Err(_) | Ok(Err(RecvError::Closed))) {
                return;
            }
        }
    }

    async fn close_all_by(&self, deadline: Instant) -> usize {
        let active = self.in_state(ConnState::Active);
        let closes = active.into_iter().map(|entry| self.close_by(entry, deadline));
        futures::future::join_all(closes).await.into_iter().filter(|closed| *closed).count()
    }

    async fn close_by(&self, entry: Arc<Entry>, deadline: Instant) -> bool {
        let frame = CloseFrame::new(CloseCode::GOING_AWAY, "server shutting down");
        let closed = tokio::time::timeout_at(deadline, self.close_entry(&entry, frame)).await;
        matches!(closed, Ok(Ok(())))
    }

    fn force_all(&self, cause: ForceCause) -> usize {
        let left: Vec<Arc<Entry>> = self.entries().values().cloned().collect();
        left.iter().filter(|entry| self.force(entry, cause).is_ok()).count()
    }
}

/// Ticks every `period` (at least 1 ms; a "never" is capped so it cannot overflow), the
/// first tick one period from now.
fn ticker(period: Duration) -> tokio::time::Interval {
    let period = capped_delay(period.max(Duration::from_millis(1)));
    let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}
