//! When the next attempt happens, and when to give up: backoff, server hints, limits, reset.

use crate::close_policy::CloseHint;
use crate::config::ReconnectConfig;
use crate::event::GiveUpReason;
use std::time::Duration;
use tokio::time::Instant;
use ws_core::{Backoff, Jitter, JitterRng};

/// The retry state since the last healthy connection.
#[derive(Debug)]
pub(crate) struct Schedule {
    backoff: Backoff,
    retry_later: Backoff,
    rng: JitterRng,
    max_attempts: Option<u32>,
    max_elapsed: Option<Duration>,
    progress: Progress,
}

/// Attempts and delays since the last healthy connection.
#[derive(Debug, Default)]
struct Progress {
    attempts: u32,
    delays: u32,
    outage_start: Option<Instant>,
    next_delay: Option<Duration>,
}

impl Schedule {
    pub(crate) fn new(config: &ReconnectConfig, rng: JitterRng) -> Self {
        let later = config.close_policy.retry_later();
        let retry_later = Backoff::new(later, 1.0, later).with_jitter(Jitter::Equal);
        let max_attempts = config.limits.max_attempts;
        let max_elapsed = config.limits.max_elapsed;
        let backoff = config.backoff;
        let progress = Progress::default();
        Schedule { backoff, retry_later, rng, max_attempts, max_elapsed, progress }
    }

    /// Counts an attempt that begins; returns its number (from 1).
    pub(crate) fn begin_attempt(&mut self) -> u32 {
        self.progress.attempts = self.progress.attempts.saturating_add(1);
        self.progress.attempts
    }

    /// Attempts since the last healthy connection.
    pub(crate) fn attempts(&self) -> u32 {
        self.progress.attempts
    }

    /// The connection stayed up long enough: backoff and limits start over.
    pub(crate) fn mark_healthy(&mut self) {
        self.progress = Progress::default();
    }

    /// Plans the delay before the next attempt, or gives up when a limit is reached.
    pub(crate) fn plan_retry(
        &mut self,
        now: Instant,
        hint: CloseHint,
    ) -> Result<Duration, GiveUpReason> {
        let start = *self.progress.outage_start.get_or_insert(now);
        self.check_limits(now.duration_since(start))?;
        let delay = self.delay_for(hint);
        self.progress.delays = self.progress.delays.saturating_add(1);
        self.progress.next_delay = Some(delay);
        Ok(delay)
    }

    /// The planned delay, once.
    pub(crate) fn take_delay(&mut self) -> Option<Duration> {
        self.progress.next_delay.take()
    }

    fn check_limits(&self, elapsed: Duration) -> Result<(), GiveUpReason> {
        if self.max_attempts.is_some_and(|max| self.progress.attempts >= max) {
            return Err(GiveUpReason::MaxAttempts);
        }
        match self.max_elapsed {
            Some(max) if elapsed >= max => Err(GiveUpReason::MaxElapsed),
            _ => Ok(()),
        }
    }

    fn delay_for(&mut self, hint: CloseHint) -> Duration {
        let backoff = self.backoff.delay(self.progress.delays, &mut self.rng);
        match hint {
            CloseHint::RetryLater => backoff.max(self.retry_later.delay(0, &mut self.rng)),
            _ => backoff,
        }
    }
}

#[cfg(test)]
mod tests;
