//! tokio's clock for governor: rate limits that follow `tokio::time::pause` and `advance`,
//! so paused-clock tests and a deterministic simulation see the same limits as production.

use governor::clock::{Clock, Reference};
use governor::nanos::Nanos;
use std::ops::Add;
use std::time::Duration;

/// A [`governor`] clock reading [`tokio::time::Instant::now`]: under a paused runtime it
/// moves only with `tokio::time::advance` (or auto-advance). Only the non-waiting `check`
/// calls are used, so governor's `ReasonablyRealtime` (for its async `until_ready`) is
/// not needed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokioClock;

/// A reading of [`TokioClock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokioInstant(tokio::time::Instant);

impl TokioInstant {
    /// The tokio instant.
    pub fn into_inner(self) -> tokio::time::Instant {
        self.0
    }
}

impl Clock for TokioClock {
    type Instant = TokioInstant;

    fn now(&self) -> TokioInstant {
        TokioInstant(tokio::time::Instant::now())
    }
}

impl Add<Nanos> for TokioInstant {
    type Output = TokioInstant;

    /// Saturates at the latest representable instant instead of overflowing.
    fn add(self, other: Nanos) -> TokioInstant {
        TokioInstant(self.0.checked_add(Duration::from(other)).unwrap_or(self.0))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_duration_since(earlier.0))
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        TokioInstant(self.0.checked_sub(Duration::from(duration)).unwrap_or(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_clock_moves_with_tokio_advance_only() {
        let before = TokioClock.now();
        tokio::time::advance(Duration::from_millis(250)).await;
        let after = TokioClock.now();
        assert_eq!(Duration::from(after.duration_since(before)), Duration::from_millis(250));
        assert_eq!(before.duration_since(after), Nanos::from(0));
        assert_eq!(before + Nanos::from(Duration::from_millis(250)), after);
        assert_eq!(after.saturating_sub(Nanos::from(Duration::from_millis(250))), before);
    }
}
