//! [`Switch`]: the on/off switch every stream of one injector shares, with an optional
//! budget of faults after which it turns itself off.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The budget that means "on, without limit".
const UNLIMITED: u64 = u64::MAX;

/// Shared by an injector and its streams: how many more faults may be injected (0 is off).
///
/// A budget is spent atomically by the stream that injects, so "exactly one more fault"
/// holds however many streams race for it.
#[derive(Debug, Clone)]
pub(super) struct Switch {
    budget: Arc<AtomicU64>,
}

impl Switch {
    /// A switch that is on, without limit.
    pub(super) fn on() -> Self {
        Self { budget: Arc::new(AtomicU64::new(UNLIMITED)) }
    }

    /// Turns injection on without limit, or off.
    pub(super) fn set(&self, enabled: bool) {
        let budget = if enabled { UNLIMITED } else { 0 };
        self.budget.store(budget, Ordering::SeqCst);
    }

    /// Turns injection on for exactly `faults` more faults, then off.
    pub(super) fn arm(&self, faults: u64) {
        self.budget.store(faults.min(UNLIMITED - 1), Ordering::SeqCst);
    }

    /// Whether a fault may be drawn now.
    pub(super) fn is_on(&self) -> bool {
        self.budget.load(Ordering::SeqCst) > 0
    }

    /// Spends one fault of the budget; false when none was left (the fault is not injected).
    pub(super) fn spend(&self) -> bool {
        let spent = self.budget.fetch_update(Ordering::SeqCst, Ordering::SeqCst, spend_one);
        spent.is_ok()
    }
}

/// The budget after one fault, or `None` when it is spent.
fn spend_one(budget: u64) -> Option<u64> {
    match budget {
        0 => None,
        UNLIMITED => Some(UNLIMITED),
        left => Some(left - 1),
    }
}
