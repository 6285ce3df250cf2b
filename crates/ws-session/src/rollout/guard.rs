//! The rollback guard: a fix's outcomes over a sliding window, and the threshold that
//! turns the fix off.

use super::RolloutError;
use std::time::Duration;
use tokio::time::Instant;

/// When the rollback guard turns a fix off: its error rate over `window` is above
/// `max_error_rate` with at least `min_samples` outcomes in the window.
///
/// | setting | default | why |
/// |---|---|---|
/// | `window` | 60 s | long enough to smooth bursts, short enough to act within a minute |
/// | `max_error_rate` | 0.05 | 1 outcome in 20 failing is far above a healthy fix |
/// | `min_samples` | 100 | a handful of early failures never trips it |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardConfig {
    window: Duration,
    max_error_rate: f64,
    min_samples: u64,
}

impl Default for GuardConfig {
    fn default() -> Self {
        GuardConfig { window: Duration::from_secs(60), max_error_rate: 0.05, min_samples: 100 }
    }
}

impl GuardConfig {
    /// A guard over `window`, tripping above `max_error_rate` (0 to 1) once the window
    /// holds `min_samples` outcomes. A zero window or a rate outside 0..=1 is refused.
    pub fn new(
        window: Duration,
        max_error_rate: f64,
        min_samples: u64,
    ) -> Result<Self, RolloutError> {
        if window.is_zero() {
            return Err(RolloutError::InvalidGuard("the window must be longer than zero"));
        }
        if !(0.0..=1.0).contains(&max_error_rate) {
            return Err(RolloutError::InvalidGuard("max_error_rate must be between 0 and 1"));
        }
        Ok(GuardConfig { window, max_error_rate, min_samples })
    }

    /// The window the error rate is measured over.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The error rate above which the fix is turned off.
    pub fn max_error_rate(&self) -> f64 {
        self.max_error_rate
    }

    /// The fewest outcomes in the window for the guard to judge.
    pub fn min_samples(&self) -> u64 {
        self.min_samples
    }
}

/// How many slots the window is cut into: it slides by a tenth of its length.
const SLOTS: u64 = 10;

/// The outcomes of one slot of the window.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    epoch: u64,
    successes: u64,
    failures: u64,
}

/// What the window holds: how many outcomes, and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    pub(crate) samples: u64,
    pub(crate) failures: u64,
}

impl Tally {
    pub(crate) fn error_rate(self) -> f64 {
        self.failures as f64 / self.samples.max(1) as f64
    }
}

/// An armed guard: its config and the outcomes of the last window, in slots.
#[derive(Debug)]
pub(crate) struct Guard {
    config: GuardConfig,
    origin: Instant,
    slots: [Slot; SLOTS as usize],
}

impl Guard {
    pub(crate) fn new(config: GuardConfig) -> Self {
        Guard { config, origin: Instant::now(), slots: [Slot::default(); SLOTS as usize] }
    }

    /// Adds outcomes; returns the window's tally when it calls for a rollback.
    pub(crate) fn record(&mut self, outcomes: Outcomes, now: Instant) -> Option<Tally> {
        let epoch = self.epoch(now);
        self.slot(epoch).add(outcomes);
        let tally = self.tally(epoch);
        self.trips(tally).then(|| self.reset(tally))
    }

    fn trips(&self, tally: Tally) -> bool {
        tally.samples >= self.config.min_samples.max(1)
            && tally.error_rate() > self.config.max_error_rate
    }

    /// Starts a fresh window (after a rollback), handing back the tally that tripped.
    fn reset(&mut self, tally: Tally) -> Tally {
        self.slots = [Slot::default(); SLOTS as usize];
        tally
    }

    /// The slot of `epoch`, emptied first if it last held an older epoch.
    fn slot(&mut self, epoch: u64) -> &mut Slot {
        let slot = &mut self.slots[(epoch % SLOTS) as usize];
        if slot.epoch != epoch {
            *slot = Slot { epoch, ..Slot::default() };
        }
        slot
    }

    /// The outcomes of the slots still inside the window ending at `epoch`.
    fn tally(&self, epoch: u64) -> Tally {
        let live = self.slots.iter().filter(|slot| slot.epoch + SLOTS > epoch);
        live.fold(Tally::default(), |tally, slot| Tally {
            samples: tally.samples + slot.successes + slot.failures,
            failures: tally.failures + slot.failures,
        })
    }

    /// Which slot-length period since the guard was armed `now` falls in.
    fn epoch(&self, now: Instant) -> u64 {
        let slot_len = (self.config.window.as_nanos() / u128::from(SLOTS)).max(1);
        let elapsed = now.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(elapsed / slot_len).unwrap_or(u64::MAX - SLOTS)
    }
}

impl Slot {
    fn add(&mut self, outcomes: Outcomes) {
        self.successes += outcomes.successes;
        self.failures += outcomes.failures;
    }
}

/// Outcomes of a fix fed to its guard at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// How many times the fix did its job.
    pub successes: u64,
    /// How many times it failed.
    pub failures: u64,
}

impl Outcomes {
    /// One outcome.
    pub fn one(succeeded: bool) -> Self {
        let successes = u64::from(succeeded);
        Outcomes { successes, failures: 1 - successes }
    }

    /// `count` successes.
    pub fn successes(count: u64) -> Self {
        Outcomes { successes: count, failures: 0 }
    }
}
