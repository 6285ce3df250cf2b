//! [`FaultInjector`]: makes [`FaultyStream`]s that share one configuration, one on/off
//! switch and one set of [`FaultStats`].

use super::config::FaultConfig;
use super::error::FaultError;
use super::pair::Pair;
use super::plan::FaultPlan;
use super::stats::FaultStats;
use super::stream::FaultyStream;
use super::switch::Switch;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Wraps streams with seeded faults. Clones share the switch, the stats and the count of
/// wrapped streams.
///
/// The n-th stream wrapped draws from a seed derived from `config.seed` and n, so every
/// connection has its own repeatable sequence.
#[derive(Debug, Clone)]
pub struct FaultInjector {
    config: FaultConfig,
    stats: FaultStats,
    switch: Switch,
    wrapped: Arc<AtomicU64>,
}

impl FaultInjector {
    /// An injector, enabled, after checking every rate is within `0.0..=1.0`.
    pub fn new(config: FaultConfig) -> Result<Self, FaultError> {
        config.validate()?;
        Ok(Self { config, stats: FaultStats::new(), switch: Switch::on(), wrapped: Arc::default() })
    }

    /// Wraps `stream`; its faults are drawn from this injector's next per-stream seed.
    pub fn wrap<S>(&self, stream: S) -> FaultyStream<S> {
        self.wrap_paired(stream, &Pair::new())
    }

    /// Wraps one end of a connection whose other end is wrapped with the same `pair`:
    /// once either end is over, neither draws another fault.
    pub fn wrap_paired<S>(&self, stream: S, pair: &Pair) -> FaultyStream<S> {
        let index = self.wrapped.fetch_add(1, Ordering::Relaxed);
        let seed = stream_seed(self.config.seed, index);
        let plan = FaultPlan::new(FaultConfig { seed, ..self.config.clone() });
        let shared =
            Shared { stats: self.stats.clone(), switch: self.switch.clone(), pair: pair.clone() };
        FaultyStream::new(stream, plan, shared)
    }

    /// Turns injection on or off for every stream of this injector (e.g. off during a
    /// handshake). While off, no decision is drawn, so the sequences resume where they were.
    pub fn set_enabled(&self, enabled: bool) {
        self.switch.set(enabled);
    }

    /// Turns injection on for exactly `faults` more faults (of any kind, on any of this
    /// injector's streams), after which it is off again: a test that wants "the next
    /// connection dies" arms one fault instead of racing to turn the switch off.
    pub fn arm(&self, faults: u64) {
        self.switch.arm(faults);
    }

    /// Whether injection is on (without limit, or with faults left to inject).
    pub fn is_enabled(&self) -> bool {
        self.switch.is_on()
    }

    /// The counts of every fault injected so far.
    pub fn stats(&self) -> &FaultStats {
        &self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }
}

/// What every stream of one injector shares.
#[derive(Debug)]
pub(super) struct Shared {
    /// The counts of injected faults.
    pub(super) stats: FaultStats,
    /// The switch and its budget.
    pub(super) switch: Switch,
    /// The other end's view of the connection.
    pub(super) pair: Pair,
}

/// The seed of the `index`-th wrapped stream (splitmix64 of the base seed and index).
pub fn stream_seed(seed: u64, index: u64) -> u64 {
    let mut mixed = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}
