//! The reconnector's configuration and its documented defaults.

use crate::breaker::BreakerConfig;
use crate::close_policy::ClosePolicy;
use std::time::Duration;
use ws_core::Backoff;

/// How the reconnector retries, when it gives up, and how much it buffers.
///
/// Build it from [`ReconnectConfig::default`] and change the fields you need.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ReconnectConfig {
    /// Delay before each retry: capped exponential with full jitter. Default
    /// `ws_core::Backoff::default()`: 100 ms, ×2, capped at 30 s.
    pub backoff: Backoff,
    /// When to give up, and when a connection counts as healthy.
    pub limits: RetryLimits,
    /// Which close codes mean "do not reconnect" or "retry later".
    /// Default [`ClosePolicy::default`].
    pub close_policy: ClosePolicy,
    /// How much the reconnector buffers.
    pub buffers: Buffers,
    /// What callbacks get when they set nothing themselves.
    pub callbacks: CallbackDefaults,
}

/// When the reconnector gives up, and when a connection counts as healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryLimits {
    /// Consecutive attempts without a healthy connection before giving up. Default `None`.
    pub max_attempts: Option<u32>,
    /// Time since the outage began before giving up. Default 5 minutes: rides out a
    /// server restart or deploy, then tells the application.
    pub max_elapsed: Option<Duration>,
    /// How long a connection must stay up before the backoff and the limits reset.
    /// Default 10 s: a server that accepts and drops at once keeps backing off.
    /// `Duration::MAX` means "never reset".
    pub healthy_after: Duration,
}

impl Default for RetryLimits {
    fn default() -> Self {
        let max_elapsed = Duration::from_secs(300);
        let healthy_after = Duration::from_secs(10);
        RetryLimits { max_attempts: None, max_elapsed: Some(max_elapsed), healthy_after }
    }
}

/// Buffer sizes, in messages or events. All default to 1024.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Buffers {
    /// Messages the handle buffers (while disconnected or while the socket is slow); a
    /// send into a full buffer hands the message back.
    pub send: usize,
    /// Incoming messages held for the [`Incoming`](crate::Incoming) stream before reading
    /// pauses (backpressure).
    pub incoming: usize,
    /// Events held per subscriber before a slow one lags.
    pub events: usize,
}

impl Default for Buffers {
    fn default() -> Self {
        Buffers { send: 1024, incoming: 1024, events: 1024 }
    }
}

/// The timeout and breaker of every callback that sets none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackDefaults {
    /// How long a callback or fallback may run before it counts as failed. Default 10 s.
    pub timeout: Duration,
    /// The circuit breaker. Default [`BreakerConfig::default`]: opens after 3 failures,
    /// half-opens after 30 s.
    pub breaker: BreakerConfig,
}

impl Default for CallbackDefaults {
    fn default() -> Self {
        CallbackDefaults { timeout: Duration::from_secs(10), breaker: BreakerConfig::default() }
    }
}
