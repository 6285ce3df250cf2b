//! The sweeper's pass (failed, stuck and ghost connections out) and the heartbeat's pass.

use super::Registry;
use crate::entry::Entry;
use crate::{metrics, ConnEvent, ConnState, FailCause, ForceCause};
use std::sync::Arc;
use tokio::time::Instant;

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SweepReport {
    /// `Failed` connections force-closed.
    pub failed: usize,
    /// Connections stuck in `Closing` past the close timeout, force-closed.
    pub stuck_closing: usize,
    /// `Active` connections silent past the idle timeout, force-closed.
    pub ghosts: usize,
}

impl SweepReport {
    /// How many connections the sweep removed.
    pub fn removed(&self) -> usize {
        self.failed + self.stuck_closing + self.ghosts
    }

    fn count(mut self, cause: ForceCause) -> Self {
        match cause {
            ForceCause::StuckClosing => self.stuck_closing += 1,
            ForceCause::Ghost => self.ghosts += 1,
            _ => self.failed += 1,
        }
        self
    }
}

/// What one heartbeat pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeartbeatReport {
    /// Pings sent.
    pub sent: usize,
    /// Pings that failed: the connection is now `Failed`.
    pub failed: usize,
    /// Pings that did not go out within the close timeout (a peer that stopped reading):
    /// left to the idle timeout.
    pub timed_out: usize,
}

impl Registry {
    /// One pass of the sweeper: force-closes and removes `Failed` connections, connections
    /// in `Closing` for longer than the close timeout, and ghosts (`Active`, silent for
    /// longer than the idle timeout). The background sweeper calls it every interval.
    pub fn sweep_once(&self) -> SweepReport {
        let _span = tracing::debug_span!("ws_conn.sweep").entered();
        let started = std::time::Instant::now();
        let doomed = self.doomed(Instant::now());
        let report = doomed.iter().fold(SweepReport::default(), |report, (entry, cause)| {
            self.sweep_one(entry, *cause).map_or(report, |()| report.count(*cause))
        });
        metrics::swept(started.elapsed().as_secs_f64());
        report
    }

    /// The connections to remove, and why, found in one scan under the lock.
    fn doomed(&self, now: Instant) -> Vec<(Arc<Entry>, ForceCause)> {
        let entries = self.entries();
        let verdicts =
            entries.values().filter_map(|entry| Some((entry, self.verdict(entry, now)?)));
        verdicts.map(|(entry, cause)| (Arc::clone(entry), cause)).collect()
    }

    fn verdict(&self, entry: &Entry, now: Instant) -> Option<ForceCause> {
        match entry.state() {
            ConnState::Failed => Some(ForceCause::Failed),
            ConnState::Closing => {
                self.stuck_closing(entry, now).then_some(ForceCause::StuckClosing)
            }
            ConnState::Active => self.is_ghost(entry, now).then_some(ForceCause::Ghost),
            ConnState::Closed => None,
        }
    }

    fn stuck_closing(&self, entry: &Entry, now: Instant) -> bool {
        let since = entry.closing_since(self.inner.epoch);
        since
            .is_some_and(|since| now.saturating_duration_since(since) > self.config().close_timeout)
    }

    fn is_ghost(&self, entry: &Entry, now: Instant) -> bool {
        entry.activity.idle_at(now) > self.config().idle_timeout
    }

    fn sweep_one(&self, entry: &Entry, cause: ForceCause) -> Result<(), crate::ConnError> {
        if cause == ForceCause::Ghost {
            let idle = self.fail_ghost(entry)?;
            tracing::warn!(conn = %entry.id, ?idle, "ghost connection");
        }
        self.force(entry, cause)
    }

    /// `Active → Failed` for a ghost, announced in order (see `fail`); a racer that moved
    /// it first (a late frame cannot, but a close can) wins and the ghost is not counted.
    fn fail_ghost(&self, entry: &Entry) -> Result<std::time::Duration, crate::ConnError> {
        let _in_order = self.entries();
        entry.transition_from(ConnState::Active, ConnState::Failed)?;
        let id = entry.id;
        let idle = entry.activity.idle_at(Instant::now());
        metrics::ghost_detected();
        self.emit(ConnEvent::GhostDetected { id, idle });
        self.emit(ConnEvent::Failed { id, cause: FailCause::Ghost });
        Ok(idle)
    }

    /// One heartbeat pass: pings every `Active` connection at once, each under the close
    /// timeout. A ping error fails the connection; the pong shows up as activity.
    pub async fn heartbeat_once(&self) -> HeartbeatReport {
        let active = self.in_state(ConnState::Active);
        let pings = active.iter().map(|entry| self.ping(entry));
        let outcomes = futures::future::join_all(pings).await;
        outcomes.into_iter().fold(HeartbeatReport::default(), HeartbeatReport::add)
    }

    async fn ping(&self, entry: &Entry) -> PingOutcome {
        let timeout = self.inner.config.close_timeout;
        match tokio::time::timeout(timeout, entry.conn.ping()).await {
            Ok(Ok(())) => PingOutcome::Sent,
            Ok(Err(error)) => self.ping_failed(entry, &error),
            Err(_) => ping_timed_out(),
        }
    }

    fn ping_failed(&self, entry: &Entry, error: &crate::TransportError) -> PingOutcome {
        metrics::ping_failed("error");
        tracing::warn!(conn = %entry.id, %error, "heartbeat ping failed");
        // Only a racer that already moved it (a close, the sweeper) makes this fail; the
        // ping's failure is counted above and reported.
        let _moved_by_a_racer = self.fail(entry, FailCause::PingError);
        PingOutcome::Failed
    }

    pub(super) fn in_state(&self, state: ConnState) -> Vec<Arc<Entry>> {
        let entries = self.entries();
        entries.values().filter(|entry| entry.state() == state).cloned().collect()
    }
}

fn ping_timed_out() -> PingOutcome {
    metrics::ping_failed("timeout");
    PingOutcome::TimedOut
}

enum PingOutcome {
    Sent,
    Failed,
    TimedOut,
}

impl HeartbeatReport {
    fn add(mut self, outcome: PingOutcome) -> Self {
        match outcome {
            PingOutcome::Sent => self.sent += 1,
            PingOutcome::Failed => self.failed += 1,
            PingOutcome::TimedOut => self.timed_out += 1,
        }
        self
    }
}
