//! Runtime switches: each fix off, on, or on for a percentage of sessions, changed while
//! the server runs; and a rollback guard that turns a fix off when its error rate spikes.
//!
//! A [`Rollout`] is a cheap handle: give a clone to the server or client (their configs
//! carry one) and keep one to flip the switches. A session-scoped fix is decided per
//! session from its id, when the session opens (and, for `reconnect`, when its connection
//! is lost), so a session never changes sides mid-stream; raising a percentage only adds
//! sessions. See `docs/rollout.md` for a gradual rollout step by step.
//!
//! ```
//! use std::time::Duration;
//! use ws_session::rollout::{Fix, GuardConfig, Rollout, RolloutEvent, Setting};
//!
//! let rollout = Rollout::new(); // every fix on
//! rollout.set(Fix::Batch, Setting::Percent(10))?; // 10% of new sessions
//! rollout.set(Fix::Batch, "50%".parse()?)?;
//! assert_eq!(rollout.setting(Fix::Batch), Setting::Percent(50));
//!
//! // Turn `sync` off when more than 5% of its runs fail over 60 s (at least 20 runs).
//! let mut events = rollout.events();
//! rollout.guard(Fix::Sync, GuardConfig::new(Duration::from_secs(60), 0.05, 20)?);
//! for _ in 0..20 {
//!     rollout.record(Fix::Sync, false);
//! }
//! assert_eq!(rollout.setting(Fix::Sync), Setting::Off);
//! assert!(matches!(events.try_recv(), Ok(RolloutEvent::RolledBack { fix: Fix::Sync, .. })));
//! # Ok::<(), ws_session::rollout::RolloutError>(())
//! ```
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `ws_reliability_rollout_percent` | gauge | `fix` | share of sessions with the fix (0 to 100) |
//! | `ws_reliability_rollout_outcomes_total` | counter | `fix`, `outcome` | outcomes fed to the guard (`success`, `failure`) |
//! | `ws_reliability_rollbacks_total` | counter | `fix` | times the guard turned the fix off |

mod error;
mod event;
mod fix;
mod guard;

pub use error::RolloutError;
pub use event::RolloutEvent;
pub use fix::{Fix, Scope, Setting};
pub use guard::{GuardConfig, Outcomes};

use crate::protocol::SessionId;
use guard::{Guard, Tally};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// The runtime switches of the five fixes and their rollback guards: see the
/// [module docs](self). Cheap to clone; clones share the switches.
#[derive(Debug, Clone)]
pub struct Rollout {
    shared: Arc<Shared>,
}

/// One fix's switch and guard.
#[derive(Debug, Default)]
struct Switch {
    percent: AtomicU8,
    armed: AtomicBool,
    guard: Mutex<Option<Guard>>,
}

#[derive(Debug)]
struct Shared {
    switches: [Switch; 5],
    events: broadcast::Sender<RolloutEvent>,
}

impl Default for Rollout {
    fn default() -> Self {
        Self::new()
    }
}

impl Rollout {
    /// Every fix on for every session, no guard armed.
    pub fn new() -> Self {
        let switches = std::array::from_fn(|_| Switch { percent: 100.into(), ..Switch::default() });
        let shared = Arc::new(Shared { switches, events: broadcast::channel(64).0 });
        Fix::ALL.into_iter().for_each(|fix| event::percent_gauge(fix, Setting::On));
        Rollout { shared }
    }

    /// Moves `fix`'s switch to `setting` for sessions decided from now on; returns where it
    /// was. A percentage of a process-wide fix ([`Scope::Process`]) is refused.
    pub fn set(&self, fix: Fix, setting: Setting) -> Result<Setting, RolloutError> {
        let percent = setting.percent();
        if fix.scope() == Scope::Process && !matches!(setting, Setting::Off | Setting::On) {
            return Err(RolloutError::NotPerSession { fix, percent });
        }
        let from = self.swap(fix, setting);
        self.emit(RolloutEvent::Changed { fix, from, to: setting });
        Ok(from)
    }

    /// Where `fix`'s switch stands.
    pub fn setting(&self, fix: Fix) -> Setting {
        let percent = self.switch(fix).percent.load(Ordering::Acquire);
        Setting::from_percent(percent).unwrap_or(Setting::On)
    }

    /// Whether `session` gets `fix`: its id falls in the switch's percentage. Stable for a
    /// session while the setting stays; raising the percentage never removes a session.
    pub fn enabled_for(&self, fix: Fix, session: &SessionId) -> bool {
        bucket(session) < self.switch(fix).percent.load(Ordering::Acquire)
    }

    /// Whether a process-wide fix is on (for a session-scoped one: on for every session).
    pub fn is_on(&self, fix: Fix) -> bool {
        self.switch(fix).percent.load(Ordering::Acquire) == 100
    }

    /// A receiver of every switch change from now on.
    pub fn events(&self) -> broadcast::Receiver<RolloutEvent> {
        self.shared.events.subscribe()
    }

    /// Arms (or re-arms with a fresh window) the rollback guard of `fix`.
    pub fn guard(&self, fix: Fix, config: GuardConfig) {
        let switch = self.switch(fix);
        *switch.guard.lock().unwrap_or_else(PoisonError::into_inner) = Some(Guard::new(config));
        switch.armed.store(true, Ordering::Release);
    }

    /// Disarms the rollback guard of `fix`.
    pub fn disarm(&self, fix: Fix) {
        let switch = self.switch(fix);
        switch.armed.store(false, Ordering::Release);
        *switch.guard.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Feeds one outcome of `fix` (`false`: it failed) to its guard, which turns the fix
    /// off when the window's error rate passes its threshold. The server and client feed
    /// their own outcomes (see `docs/rollout.md`); the application may feed more.
    pub fn record(&self, fix: Fix, succeeded: bool) {
        self.record_counts(fix, Outcomes::one(succeeded));
    }

    /// Feeds many outcomes of `fix` at once, as that many [`record`](Self::record) calls
    /// would (a batch of pushes, with one metrics update and one look at the guard).
    pub fn record_counts(&self, fix: Fix, outcomes: Outcomes) {
        event::outcomes(fix, outcomes);
        if !self.switch(fix).armed.load(Ordering::Acquire) {
            return;
        }
        if let Some(tally) = self.judge(fix, outcomes) {
            self.roll_back(fix, tally);
        }
    }

    fn judge(&self, fix: Fix, outcomes: Outcomes) -> Option<Tally> {
        let mut guard = self.switch(fix).guard.lock().unwrap_or_else(PoisonError::into_inner);
        let tripped = guard.as_mut()?.record(outcomes, tokio::time::Instant::now())?;
        (self.setting(fix) != Setting::Off).then_some(tripped)
    }

    fn roll_back(&self, fix: Fix, tally: Tally) {
        let from = self.swap(fix, Setting::Off);
        event::rolled_back(fix);
        let error_rate = tally.error_rate();
        let samples = tally.samples;
        tracing::warn!(%fix, %from, error_rate, samples, "rollback guard turned the fix off");
        self.emit(RolloutEvent::RolledBack { fix, from, error_rate, samples });
    }

    fn swap(&self, fix: Fix, setting: Setting) -> Setting {
        let previous = self.switch(fix).percent.swap(setting.percent(), Ordering::AcqRel);
        event::percent_gauge(fix, setting);
        Setting::from_percent(previous).unwrap_or(Setting::On)
    }

    fn switch(&self, fix: Fix) -> &Switch {
        &self.shared.switches[fix.index()]
    }

    fn emit(&self, event: RolloutEvent) {
        let _no_subscriber_is_fine = self.shared.events.send(event);
    }
}

/// A session's place among 100 buckets, from its random id.
fn bucket(session: &SessionId) -> u8 {
    let bytes = session.as_bytes();
    let head = u64::from_le_bytes(std::array::from_fn(|index| bytes[index]));
    (head % 100) as u8
}

#[cfg(test)]
mod tests;
