//! [`FaultConfig`]: how often each fault happens, how long delays and stalls last, and the
//! seed that makes a run repeatable.

use super::error::FaultError;
use super::kind::FaultKind;
use std::time::Duration;

/// Default duration of an injected write delay.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(20);
/// Default duration of an injected read stall.
pub const DEFAULT_STALL: Duration = Duration::from_secs(1);

/// Fault rates (each the probability per read or write operation, `0.0..=1.0`; for a
/// failed close, per close this side starts) and a seed.
///
/// All rates 0 (the [`seeded`](Self::seeded) start) makes the wrapper transparent.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Seed of the decision sequence: the same seed and the same I/O give the same faults.
    pub seed: u64,
    /// Probability that a write fails.
    pub write_error_rate: f64,
    /// Probability that a read or write kills the connection.
    pub kill_rate: f64,
    /// Probability that a write is delayed by [`delay`](Self::delay).
    pub delay_rate: f64,
    /// How long a delayed write waits.
    pub delay: Duration,
    /// Probability that a read is stalled for [`stall`](Self::stall).
    pub stall_rate: f64,
    /// How long a stalled read is held.
    pub stall: Duration,
    /// Probability that a close this side starts fails.
    pub failed_close_rate: f64,
}

/// Every rate 0, the default durations.
const NO_FAULTS: FaultConfig = FaultConfig {
    seed: 0,
    write_error_rate: 0.0,
    kill_rate: 0.0,
    delay_rate: 0.0,
    delay: DEFAULT_DELAY,
    stall_rate: 0.0,
    stall: DEFAULT_STALL,
    failed_close_rate: 0.0,
};

impl FaultConfig {
    /// No faults, the default durations, and this seed.
    pub fn seeded(seed: u64) -> Self {
        Self { seed, ..NO_FAULTS }
    }

    /// This configuration with the rate of `kind` set to `rate`.
    pub fn with_rate(mut self, kind: FaultKind, rate: f64) -> Self {
        *self.rate_mut(kind) = rate;
        self
    }

    /// This configuration with the delay and stall durations set.
    pub fn with_durations(self, delay: Duration, stall: Duration) -> Self {
        Self { delay, stall, ..self }
    }

    /// The probability of `kind` per operation.
    pub fn rate(&self, kind: FaultKind) -> f64 {
        match kind {
            FaultKind::WriteError => self.write_error_rate,
            FaultKind::Kill => self.kill_rate,
            FaultKind::Delay => self.delay_rate,
            FaultKind::Stall => self.stall_rate,
            FaultKind::FailedClose => self.failed_close_rate,
        }
    }

    fn rate_mut(&mut self, kind: FaultKind) -> &mut f64 {
        match kind {
            FaultKind::WriteError => &mut self.write_error_rate,
            FaultKind::Kill => &mut self.kill_rate,
            FaultKind::Delay => &mut self.delay_rate,
            FaultKind::Stall => &mut self.stall_rate,
            FaultKind::FailedClose => &mut self.failed_close_rate,
        }
    }

    /// Checks that every rate is within `0.0..=1.0` (NaN is refused).
    pub fn validate(&self) -> Result<(), FaultError> {
        let invalid =
            FaultKind::ALL.into_iter().find(|kind| !(0.0..=1.0).contains(&self.rate(*kind)));
        match invalid {
            Some(kind) => Err(FaultError::InvalidRate { kind, rate: self.rate(kind) }),
            None => Ok(()),
        }
    }
}
