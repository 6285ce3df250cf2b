//! Entry times as nanoseconds since the queue was created: 8 bytes per entry instead of the
//! 16 of an `Instant`, compared as plain integers on the hot path.

use std::time::Duration;
use tokio::time::Instant;

/// A point in time, in nanoseconds since an [`Epoch`]. `Ticks(0)` is the epoch itself, the
/// due time of a new message (due at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ticks(u64);

impl Ticks {
    /// The time from `earlier` to this point (zero if `earlier` is later).
    pub(crate) fn since(self, earlier: Ticks) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

/// The instant a queue counts its [`Ticks`] from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Epoch(Instant);

impl Epoch {
    pub(crate) fn now() -> Self {
        Epoch(Instant::now())
    }

    /// `at` in ticks; an instant before the epoch counts as the epoch, one more than 584
    /// years after it as the last tick.
    pub(crate) fn ticks(self, at: Instant) -> Ticks {
        let since = at.saturating_duration_since(self.0).as_nanos();
        Ticks(u64::try_from(since).unwrap_or(u64::MAX))
    }

    pub(crate) fn instant(self, ticks: Ticks) -> Instant {
        self.0 + Duration::from_nanos(ticks.0)
    }
}

#[cfg(test)]
mod tests;
