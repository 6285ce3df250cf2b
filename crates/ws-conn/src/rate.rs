//! The accept-rate guard: a token bucket that refuses connections during reconnect storms.

use std::sync::Mutex;
use tokio::time::Instant;

/// A token bucket: `burst` tokens, refilled at `per_second`; an admission takes one.
#[derive(Debug)]
pub(crate) struct AcceptRate {
    burst: f64,
    per_second: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl AcceptRate {
    /// A full bucket.
    pub(crate) fn new(burst: u32, per_second: u32) -> Self {
        let bucket = Bucket { tokens: f64::from(burst), refilled: Instant::now() };
        AcceptRate {
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            bucket: bucket.into(),
        }
    }

    /// Takes a token if one is there.
    pub(crate) fn try_take(&self) -> bool {
        let mut bucket = self.bucket.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        bucket.refill(self.per_second, self.burst, Instant::now());
        let granted = bucket.tokens >= 1.0;
        bucket.tokens -= if granted { 1.0 } else { 0.0 };
        granted
    }
}

impl Bucket {
    fn refill(&mut self, per_second: f64, burst: f64, now: Instant) {
        let earned = now.saturating_duration_since(self.refilled).as_secs_f64() * per_second;
        self.tokens = (self.tokens + earned).min(burst);
        self.refilled = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_admitted_then_refused_until_refilled() {
        let rate = AcceptRate::new(3, 2);
        assert_eq!((0..5).filter(|_| rate.try_take()).count(), 3);
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(rate.try_take());
        assert!(!rate.try_take());
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!((0..10).filter(|_| rate.try_take()).count(), 3);
    }
}
