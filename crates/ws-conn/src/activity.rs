//! Liveness: when a connection last showed a sign of life (an inbound frame or a pong).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// A cheap, cloneable record of a connection's last inbound frame or pong.
///
/// The owner of the socket's read half calls [`Activity::record`] on every frame: one
/// relaxed atomic store of the milliseconds since the connection opened, no lock, no
/// allocation. The sweeper reads it to find ghosts. Uses tokio's clock, so a paused test
/// clock drives it.
#[derive(Debug, Clone)]
pub struct Activity(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    opened: Instant,
    last_millis: AtomicU64,
}

impl Activity {
    /// A record that counts "now" as the last sign of life.
    pub fn new() -> Self {
        Activity(Arc::new(Inner { opened: Instant::now(), last_millis: AtomicU64::new(0) }))
    }

    /// Marks a sign of life now.
    pub fn record(&self) {
        let millis = u64::try_from(self.0.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.last_millis.fetch_max(millis, Ordering::Relaxed);
    }

    /// The instant of the last sign of life.
    pub fn last_seen(&self) -> Instant {
        self.0.opened + Duration::from_millis(self.0.last_millis.load(Ordering::Relaxed))
    }

    /// How long the connection has been silent at `now`.
    pub fn idle_at(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.last_seen())
    }
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}
