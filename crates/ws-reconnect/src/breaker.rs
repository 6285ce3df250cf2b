//! A circuit breaker per callback: a table of transitions between closed, open and half-open.

use std::time::Duration;
use tokio::time::Instant;

/// The state of a [`CircuitBreaker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BreakerState {
    /// The callback runs; consecutive failures are counted.
    Closed,
    /// The callback is skipped (its fallback runs) until the cool-down is over.
    Open,
    /// The cool-down is over: the next run is a trial that closes or reopens the breaker.
    HalfOpen,
}

impl BreakerState {
    /// The state's label in the `ws_reconnect_breakers` gauge.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::HalfOpen => "half_open",
            BreakerState::Open => "open",
        }
    }
}

/// What happened to the protected callback, as the breaker's table reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakerInput {
    /// The callback succeeded.
    Success,
    /// The callback failed, below the failure threshold.
    Failure,
    /// The callback failed and the consecutive failures reached the threshold.
    ThresholdReached,
    /// The cool-down of an open breaker is over.
    CoolDownElapsed,
}

/// The transition table: `(from, input, to)`; a pair not listed leaves the state unchanged.
pub const TRANSITIONS: &[(BreakerState, BreakerInput, BreakerState)] = &[
    (BreakerState::Closed, BreakerInput::ThresholdReached, BreakerState::Open),
    (BreakerState::Open, BreakerInput::CoolDownElapsed, BreakerState::HalfOpen),
    (BreakerState::HalfOpen, BreakerInput::Success, BreakerState::Closed),
    (BreakerState::HalfOpen, BreakerInput::Failure, BreakerState::Open),
    (BreakerState::HalfOpen, BreakerInput::ThresholdReached, BreakerState::Open),
];

/// The state that follows `state` on `input`, read from [`TRANSITIONS`].
pub fn next_state(state: BreakerState, input: BreakerInput) -> BreakerState {
    let row = TRANSITIONS.iter().find(|(from, on, _)| *from == state && *on == input);
    row.map_or(state, |(_, _, to)| *to)
}

/// When a breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker. Default 3: one failure can be bad luck,
    /// three in a row mean the callback is broken.
    pub failure_threshold: u32,
    /// How long an open breaker skips the callback before a half-open trial. Default 30 s.
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig { failure_threshold: 3, cool_down: Duration::from_secs(30) }
    }
}

impl BreakerConfig {
    /// A configuration with the given threshold (at least 1) and cool-down.
    pub fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        BreakerConfig { failure_threshold: failure_threshold.max(1), cool_down }
    }
}

/// A state change: `(from, to)`.
pub type Transition = (BreakerState, BreakerState);

/// Closed → Open after `failure_threshold` consecutive failures → HalfOpen after the
/// cool-down → Closed on a success (or Open again on a failure).
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    state: BreakerState,
    failures: u32,
    opened_at: Instant,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        let opened_at = Instant::now();
        CircuitBreaker { config, state: BreakerState::Closed, failures: 0, opened_at }
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Moves an open breaker to half-open once its cool-down is over at `now`.
    pub fn poll(&mut self, now: Instant) -> Option<Transition> {
        let cooled = now.duration_since(self.opened_at) >= self.config.cool_down;
        let due = self.state == BreakerState::Open && cooled;
        due.then(|| self.apply(BreakerInput::CoolDownElapsed, now)).flatten()
    }

    /// Records a success of the callback.
    pub fn record_success(&mut self, now: Instant) -> Option<Transition> {
        self.failures = 0;
        self.apply(BreakerInput::Success, now)
    }

    /// Records a failure of the callback.
    pub fn record_failure(&mut self, now: Instant) -> Option<Transition> {
        self.failures = self.failures.saturating_add(1);
        let reached = self.failures >= self.config.failure_threshold;
        let input = if reached { BreakerInput::ThresholdReached } else { BreakerInput::Failure };
        self.apply(input, now)
    }

    fn apply(&mut self, input: BreakerInput, now: Instant) -> Option<Transition> {
        let from = self.state;
        self.state = next_state(from, input);
        if self.state == BreakerState::Open {
            self.opened_at = now;
        }
        (from != self.state).then_some((from, self.state))
    }
}

#[cfg(test)]
mod tests;
