//! Handshakes in progress: how many may run at once, and how long each may take, so that
//! sockets sending half an HTTP upgrade (or nothing) neither pile up nor stay open.

use crate::metrics;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Limits on the HTTP upgrade, before a socket reaches the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandshakeLimits {
    /// How long the upgrade (request read, response written) may take. Default 10 s.
    pub timeout: Duration,
    /// The most upgrades in progress at once; past it a new socket is closed at once.
    /// Default 1 024.
    pub max_in_progress: usize,
}

impl HandshakeLimits {
    /// The defaults, as a constant for [`Limits`](crate::Limits)'s.
    pub(crate) const DEFAULT: HandshakeLimits =
        HandshakeLimits { timeout: Duration::from_secs(10), max_in_progress: 1_024 };
}

impl Default for HandshakeLimits {
    fn default() -> Self {
        HandshakeLimits::DEFAULT
    }
}

/// Why a handshake did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// `max_in_progress` handshakes were already running: the socket was not read.
    #[error("{max} handshakes already in progress")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// The handshake took longer than the timeout.
    #[error("handshake timed out after {timeout:?}")]
    TimedOut {
        /// The timeout that elapsed.
        timeout: Duration,
    },
}

/// The handshakes in progress on a server. Cheap to clone: clones share the count.
#[derive(Debug, Clone, Default)]
pub struct Handshakes {
    limits: HandshakeLimits,
    in_progress: Arc<AtomicUsize>,
}

impl Handshakes {
    /// No handshake in progress yet.
    pub fn new(limits: HandshakeLimits) -> Self {
        Handshakes { limits, in_progress: Arc::default() }
    }

    /// The limits.
    pub fn limits(&self) -> &HandshakeLimits {
        &self.limits
    }

    /// How many handshakes are in progress now.
    pub fn in_progress(&self) -> usize {
        self.in_progress.load(Ordering::Acquire)
    }

    /// Counts one more handshake in progress until the permit drops, or refuses it (counted
    /// in `ws_conn_handshakes_refused_total`) when `max_in_progress` are running.
    pub fn begin(&self) -> Result<HandshakePermit, HandshakeError> {
        let max = self.limits.max_in_progress;
        let take = |held: usize| (held < max).then_some(held + 1);
        let taken = self.in_progress.fetch_update(Ordering::AcqRel, Ordering::Acquire, take);
        taken
            .map_err(|_| metrics::handshake_refused())
            .map_err(|()| HandshakeError::TooMany { max })?;
        metrics::handshake_began();
        Ok(HandshakePermit { in_progress: Arc::clone(&self.in_progress) })
    }

    /// Runs `handshake` as one handshake in progress, bounded by the timeout (counted in
    /// `ws_conn_handshake_timeouts_total`). Refused past the limit without being polled:
    /// dropping it closes the socket it owns.
    pub async fn run<F: Future>(&self, handshake: F) -> Result<F::Output, HandshakeError> {
        let _permit = self.begin()?;
        let timeout = self.limits.timeout;
        let outcome = tokio::time::timeout(timeout, handshake).await;
        outcome
            .map_err(|_| metrics::handshake_timed_out())
            .map_err(|()| HandshakeError::TimedOut { timeout })
    }
}

/// One handshake in progress; dropping it ends it.
#[derive(Debug)]
#[must_use = "the handshake counts as in progress until the permit drops"]
pub struct HandshakePermit {
    in_progress: Arc<AtomicUsize>,
}

impl Drop for HandshakePermit {
    fn drop(&mut self) {
        self.in_progress.fetch_sub(1, Ordering::AcqRel);
        metrics::handshake_ended();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_in_progress: usize) -> HandshakeLimits {
        HandshakeLimits { timeout: Duration::from_secs(1), max_in_progress }
    }

    #[test]
    fn permits_past_the_limit_are_refused_until_one_drops() {
        let handshakes = Handshakes::new(limits(2));
        let first = handshakes.begin().unwrap();
        let _second = handshakes.begin().unwrap();
        assert_eq!(handshakes.begin().unwrap_err(), HandshakeError::TooMany { max: 2 });
        assert_eq!(handshakes.in_progress(), 2);
        drop(first);
        assert_eq!(handshakes.in_progress(), 1);
        assert!(handshakes.begin().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_handshake_past_its_timeout_ends_and_frees_its_place() {
        let handshakes = Handshakes::new(limits(1));
        let stalled = handshakes.run(std::future::pending::<()>()).await;
        assert_eq!(stalled, Err(HandshakeError::TimedOut { timeout: Duration::from_secs(1) }));
        assert_eq!(handshakes.in_progress(), 0);
        assert_eq!(handshakes.run(async { 7 }).await, Ok(7));
    }

    #[tokio::test]
    async fn a_refused_handshake_is_never_polled() {
        let handshakes = Handshakes::new(limits(0));
        let refused = handshakes.run(async { unreachable!("polled past the limit") }).await;
        assert_eq!(refused, Err::<(), _>(HandshakeError::TooMany { max: 0 }));
    }
}
