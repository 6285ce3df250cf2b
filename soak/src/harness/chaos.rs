//! Chaos beyond the sockets: a health check and a state-sync callback that fail at random
//! (seeded), each failure counted so it can be matched with what the system reported.

use super::shared::lock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use ws_reliability::monitor::{CheckError, CheckResult};
use ws_reliability::sync::{Callback, SyncError, Synchronizer};
use ws_reliability::SessionSync;

/// The name of the chaos health check and of the chaos sync callback.
pub const CHAOS: &str = "chaos";

/// A seeded coin that fails with probability `rate`, counting its failures.
#[derive(Debug, Clone)]
pub struct Chaos {
    rng: Arc<Mutex<fastrand::Rng>>,
    rate: f64,
    injected: Arc<AtomicU64>,
}

impl Chaos {
    /// A coin seeded with `seed`.
    pub fn new(seed: u64, rate: f64) -> Self {
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        Chaos { rng, rate, injected: Arc::default() }
    }

    /// Whether this call fails (counted when it does).
    pub fn fails(&self) -> bool {
        let fails = lock(&self.rng).f64() < self.rate;
        self.injected.fetch_add(u64::from(fails), Ordering::Relaxed);
        fails
    }

    /// Failures injected so far.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::Relaxed)
    }

    /// A health check that fails whenever the coin does.
    pub fn check(self) -> impl Fn() -> CheckResult + Send + Sync + 'static {
        move || {
            if self.fails() {
                Err(CheckError::new("injected health-check failure"))
            } else {
                Ok("no failure injected".into())
            }
        }
    }

    /// A synchronizer whose one warning callback fails whenever the coin does (a warning,
    /// so the synchronizer stays usable: each failure is a `SyncFailed` event and a metric).
    pub fn synchronizer(self) -> Result<Synchronizer<SessionSync>, SyncError> {
        let sync = Synchronizer::new("soak");
        sync.register(Callback::warning(CHAOS, move |_session: Arc<SessionSync>| {
            let outcome = sync_outcome(self.fails());
            async move { outcome }
        }))?;
        Ok(sync)
    }
}

/// What the chaos callback returns.
fn sync_outcome(failed: bool) -> Result<(), ws_reliability::sync::BoxError> {
    if failed {
        Err("injected sync failure".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coin_fails_near_its_rate_and_counts() {
        let chaos = Chaos::new(3, 0.2);
        let failures = (0..10_000).filter(|_| chaos.fails()).count() as u64;
        assert!((1800..=2200).contains(&failures));
        assert_eq!(chaos.injected(), failures);
        assert!(!(0..100).any(|_| Chaos::new(1, 0.0).fails()));
    }

    #[test]
    fn the_check_and_the_callback_fail_with_the_coin() {
        let always = Chaos::new(1, 1.0);
        assert!(always.clone().check()().is_err());
        assert!(Chaos::new(1, 0.0).check()().is_ok());
        let sync = always.clone().synchronizer().unwrap();
        assert_eq!(sync.callbacks().len(), 1);
        assert_eq!(always.injected(), 1, "the harness's runs exercise the callback itself");
    }
}
