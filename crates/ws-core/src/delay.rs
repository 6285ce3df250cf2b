//! The longest delay worth arming a timer for, so a "never" duration cannot overflow an `Instant`.

use std::time::Duration;

/// About 30 years: the longest delay the fix crates arm a timer or an interval for, as tokio
/// caps its own sleeps. A longer one (`Duration::MAX`, meant as "never") added to an
/// `Instant` overflows and panics; capped to this, it is a timer that never fires in practice.
pub const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `delay`, capped at [`FAR_FUTURE`]: safe to add to the `Instant` of a running process.
///
/// ```
/// use std::time::{Duration, Instant};
/// use ws_core::{capped_delay, FAR_FUTURE};
///
/// assert_eq!(capped_delay(Duration::from_secs(5)), Duration::from_secs(5));
/// let never = Instant::now() + capped_delay(Duration::MAX); // no overflow
/// assert!(never >= Instant::now() + FAR_FUTURE - Duration::from_secs(1));
/// ```
pub fn capped_delay(delay: Duration) -> Duration {
    delay.min(FAR_FUTURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_delays_past_the_far_future_are_capped() {
        assert_eq!(capped_delay(Duration::ZERO), Duration::ZERO);
        assert_eq!(capped_delay(FAR_FUTURE), FAR_FUTURE);
        assert_eq!(capped_delay(FAR_FUTURE + Duration::from_nanos(1)), FAR_FUTURE);
        assert_eq!(capped_delay(Duration::MAX), FAR_FUTURE);
    }
}
