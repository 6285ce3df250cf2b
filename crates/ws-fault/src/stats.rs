//! [`FaultStats`]: shared counters of every fault injected, one per kind, mirrored in the
//! metric `ws_fault_injected_total{kind}`.

use super::kind::FaultKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts of injected faults, shared by every stream of one injector (clones share them).
///
/// A harness compares these with the failures the system under test reported, to prove
/// that no injected fault went unnoticed.
#[derive(Debug, Clone, Default)]
pub struct FaultStats {
    counts: Arc<[AtomicU64; FaultKind::COUNT]>,
}

impl FaultStats {
    /// Counters at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one injected fault of `kind` (and increments the metric).
    pub fn record(&self, kind: FaultKind) {
        self.counts[kind.index()].fetch_add(1, Ordering::Relaxed);
        metrics::counter!("ws_fault_injected_total", "kind" => kind.label()).increment(1);
        tracing::debug!(kind = kind.label(), "fault injected");
    }

    /// How many faults of `kind` were injected.
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.counts[kind.index()].load(Ordering::Relaxed)
    }

    /// How many faults were injected in all.
    pub fn total(&self) -> u64 {
        FaultKind::ALL.into_iter().map(|kind| self.count(kind)).sum()
    }

    /// Every kind with its count.
    pub fn snapshot(&self) -> [(FaultKind, u64); FaultKind::COUNT] {
        FaultKind::ALL.map(|kind| (kind, self.count(kind)))
    }
}
