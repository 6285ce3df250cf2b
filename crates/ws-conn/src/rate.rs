//! Rate quotas: the global accept-rate guard against reconnect storms, and the quota of
//! each address, both governor GCRA limiters on [`TokioClock`].

use crate::clock::{TokioClock, TokioInstant};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;

/// One governor limiter (GCRA, one atomic word) on tokio's clock.
pub(crate) type Limiter =
    RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>;

/// `burst` admissions at once, refilled at `per_second`; 0 is taken as 1 (governor
/// cannot express an empty quota).
pub(crate) fn quota(burst: u32, per_second: u32) -> Quota {
    let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(per_second).allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

/// The accept-rate guard: a full bucket of `burst` admissions, refilled at `per_second`.
#[derive(Debug)]
pub(crate) struct AcceptRate {
    limiter: Limiter,
}

impl AcceptRate {
    /// A full bucket.
    pub(crate) fn new(burst: u32, per_second: u32) -> Self {
        AcceptRate { limiter: Limiter::direct_with_clock(quota(burst, per_second), TokioClock) }
    }

    /// Takes an admission if one is there.
    pub(crate) fn try_take(&self) -> bool {
        self.limiter.check().is_ok()
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
