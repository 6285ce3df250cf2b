//! A ready-made check on a number the application supplies: fails past a limit.

use crate::check::{CheckResult, HealthCheck};
use crate::error::CheckError;
use async_trait::async_trait;

#[cfg(test)]
mod tests;

/// Which side of the limit is healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Healthy while the value is at most the limit (dead letters, open circuits, depth).
    AtMost,
    /// Healthy while the value is at least the limit (connected peers, free slots).
    AtLeast,
}

/// Reads a value with a closure and fails when it crosses a limit, with a message that
/// names the value, the reading and the limit.
///
/// ```
/// use ws_monitor::ThresholdCheck;
/// let dead_letters = ThresholdCheck::at_most("dead letters per minute", 10.0, || 12.0);
/// let failure = dead_letters.evaluate(12.0).unwrap_err();
/// assert_eq!(failure.message(), "dead letters per minute is 12, above the limit 10");
/// ```
#[derive(Debug, Clone)]
pub struct ThresholdCheck<F> {
    what: String,
    limit: f64,
    bound: Bound,
    read: F,
}

impl<F: Fn() -> f64 + Send + Sync> ThresholdCheck<F> {
    /// Healthy while `read()` is at most `limit`.
    pub fn at_most(what: impl Into<String>, limit: f64, read: F) -> Self {
        Self { what: what.into(), limit, bound: Bound::AtMost, read }
    }

    /// Healthy while `read()` is at least `limit`.
    pub fn at_least(what: impl Into<String>, limit: f64, read: F) -> Self {
        Self { what: what.into(), limit, bound: Bound::AtLeast, read }
    }

    /// The limit.
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// The healthy side of the limit.
    pub fn bound(&self) -> Bound {
        self.bound
    }

    /// Judges one reading (a NaN reading fails).
    pub fn evaluate(&self, value: f64) -> CheckResult {
        let what = &self.what;
        let limit = self.limit;
        match (self.bound, value) {
            (_, value) if value.is_nan() => Err(CheckError::new(format!("{what} is not a number"))),
            (Bound::AtMost, value) if value > limit => Err(self.crossed(value, "above")),
            (Bound::AtLeast, value) if value < limit => Err(self.crossed(value, "below")),
            (_, value) => Ok(format!("{what} is {value} (limit {limit})")),
        }
    }

    fn crossed(&self, value: f64, side: &str) -> CheckError {
        CheckError::new(format!("{} is {value}, {side} the limit {}", self.what, self.limit))
    }
}

#[async_trait]
impl<F: Fn() -> f64 + Send + Sync> HealthCheck for ThresholdCheck<F> {
    async fn check(&self) -> CheckResult {
        self.evaluate((self.read)())
    }
}
