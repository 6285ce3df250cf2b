//! Unit tests of the retry schedule: backoff bounds, hints, limits and the healthy reset.

use super::*;
use crate::close_policy::ClosePolicy;

fn config() -> ReconnectConfig {
    let backoff = Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(1));
    ReconnectConfig { backoff, ..ReconnectConfig::default() }
}

#[tokio::test(start_paused = true)]
async fn delays_stay_under_the_capped_exponential_ceiling() {
    let config = config();
    let mut schedule = Schedule::new(&config, JitterRng::seeded(1));
    let now = Instant::now();
    for step in 0..8 {
        schedule.begin_attempt();
        let delay = schedule.plan_retry(now, CloseHint::Reconnect).unwrap();
        assert!(delay <= config.backoff.ceiling(step), "step {step}: {delay:?}");
        assert_eq!(schedule.take_delay(), Some(delay));
        assert_eq!(schedule.take_delay(), None);
    }
}

#[tokio::test(start_paused = true)]
async fn retry_later_waits_at_least_half_the_retry_later_bound() {
    let mut config = config();
    config.close_policy = ClosePolicy::default().with_retry_later(Duration::from_secs(20));
    let mut schedule = Schedule::new(&config, JitterRng::seeded(2));
    let delay = schedule.plan_retry(Instant::now(), CloseHint::RetryLater).unwrap();
    assert!(delay >= Duration::from_secs(10) && delay <= Duration::from_secs(20), "{delay:?}");
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts_and_resets_when_healthy() {
    let mut config = config();
    config.limits.max_attempts = Some(2);
    let mut schedule = Schedule::new(&config, JitterRng::seeded(3));
    let now = Instant::now();
    schedule.begin_attempt();
    assert!(schedule.plan_retry(now, CloseHint::Reconnect).is_ok());
    schedule.begin_attempt();
    assert_eq!(schedule.plan_retry(now, CloseHint::Reconnect), Err(GiveUpReason::MaxAttempts));
    schedule.mark_healthy();
    assert_eq!(schedule.attempts(), 0);
    assert!(schedule.plan_retry(now, CloseHint::Reconnect).is_ok());
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_elapsed_since_the_outage_began() {
    let mut config = config();
    config.limits.max_elapsed = Some(Duration::from_secs(60));
    let mut schedule = Schedule::new(&config, JitterRng::seeded(4));
    let start = Instant::now();
    assert!(schedule.plan_retry(start, CloseHint::Reconnect).is_ok());
    assert!(schedule.plan_retry(start + Duration::from_secs(59), CloseHint::Reconnect).is_ok());
    let late = start + Duration::from_secs(60);
    assert_eq!(schedule.plan_retry(late, CloseHint::Reconnect), Err(GiveUpReason::MaxElapsed));
}
