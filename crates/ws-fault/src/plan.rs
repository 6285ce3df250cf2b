//! [`FaultPlan`]: the seeded sequence of fault decisions, one per read or write operation.

use super::config::FaultConfig;
use super::kind::FaultKind;

/// The faults a write may suffer, tried in this order.
const WRITE_FAULTS: [FaultKind; 3] = [FaultKind::Kill, FaultKind::WriteError, FaultKind::Delay];
/// The faults a read may suffer, tried in this order.
const READ_FAULTS: [FaultKind; 2] = [FaultKind::Kill, FaultKind::Stall];

/// Separates the read generator's seed from the write generator's.
const READ_SEED_MASK: u64 = 0xA5A5_A5A5_A5A5_A5A5;
/// Separates the close generator's seed from the others.
const CLOSE_SEED_MASK: u64 = 0x5A5A_0C10_5E5A_5A5A;

/// Draws fault decisions from seeded RNGs: the same seed gives the same sequence.
///
/// Reads, writes and closes draw from three independent generators, so how they
/// interleave does not change any sequence.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    config: FaultConfig,
    writes: fastrand::Rng,
    reads: fastrand::Rng,
    closes: fastrand::Rng,
}

impl FaultPlan {
    /// A plan drawing from `config.seed`.
    pub fn new(config: FaultConfig) -> Self {
        let writes = fastrand::Rng::with_seed(config.seed);
        let reads = fastrand::Rng::with_seed(config.seed ^ READ_SEED_MASK);
        let closes = fastrand::Rng::with_seed(config.seed ^ CLOSE_SEED_MASK);
        Self { config, writes, reads, closes }
    }

    /// The fault for the next write operation, if any.
    pub fn next_write(&mut self) -> Option<FaultKind> {
        draw(&self.config, &mut self.writes, &WRITE_FAULTS)
    }

    /// The fault for the next read operation, if any.
    pub fn next_read(&mut self) -> Option<FaultKind> {
        draw(&self.config, &mut self.reads, &READ_FAULTS)
    }

    /// Whether the next close this side starts fails ([`FaultKind::FailedClose`]).
    pub fn next_close(&mut self) -> bool {
        self.closes.f64() < self.config.rate(FaultKind::FailedClose)
    }

    /// The configuration the plan draws with.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }
}

/// Tries each candidate in order with its own draw; the first that hits is the fault.
fn draw(
    config: &FaultConfig,
    rng: &mut fastrand::Rng,
    candidates: &[FaultKind],
) -> Option<FaultKind> {
    candidates.iter().copied().find(|kind| rng.f64() < config.rate(*kind))
}
