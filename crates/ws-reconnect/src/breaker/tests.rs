//! Unit tests of the circuit breaker: the table and the timed behaviour.

use super::*;

#[test]
fn table_drives_every_transition() {
    use BreakerInput::*;
    use BreakerState::*;
    let cases = [
        (Closed, Success, Closed),
        (Closed, Failure, Closed),
        (Closed, ThresholdReached, Open),
        (Closed, CoolDownElapsed, Closed),
        (Open, Success, Open),
        (Open, Failure, Open),
        (Open, CoolDownElapsed, HalfOpen),
        (HalfOpen, Success, Closed),
        (HalfOpen, Failure, Open),
        (HalfOpen, CoolDownElapsed, HalfOpen),
    ];
    for (from, input, to) in cases {
        assert_eq!(next_state(from, input), to, "{from:?} on {input:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn opens_after_threshold_half_opens_after_cool_down_and_closes_on_success() {
    let mut breaker = CircuitBreaker::new(BreakerConfig::new(2, Duration::from_secs(10)));
    let now = Instant::now();
    assert_eq!(breaker.record_failure(now), None);
    assert_eq!(breaker.record_failure(now), Some((BreakerState::Closed, BreakerState::Open)));
    assert_eq!(breaker.poll(now + Duration::from_secs(9)), None);
    let later = now + Duration::from_secs(10);
    assert_eq!(breaker.poll(later), Some((BreakerState::Open, BreakerState::HalfOpen)));
    assert_eq!(breaker.record_success(later), Some((BreakerState::HalfOpen, BreakerState::Closed)));
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_failed_trial_reopens_for_a_full_cool_down() {
    let mut breaker = CircuitBreaker::new(BreakerConfig::new(1, Duration::from_secs(5)));
    let start = Instant::now();
    breaker.record_failure(start);
    let trial = start + Duration::from_secs(5);
    breaker.poll(trial);
    assert_eq!(breaker.record_failure(trial), Some((BreakerState::HalfOpen, BreakerState::Open)));
    assert_eq!(breaker.poll(trial + Duration::from_secs(4)), None);
    assert_eq!(breaker.state(), BreakerState::Open);
}

#[test]
fn a_success_resets_the_failure_count() {
    let mut breaker = CircuitBreaker::new(BreakerConfig::new(2, Duration::from_secs(5)));
    let now = Instant::now();
    breaker.record_failure(now);
    breaker.record_success(now);
    assert_eq!(breaker.record_failure(now), None);
    assert_eq!(BreakerConfig::new(0, Duration::ZERO).failure_threshold, 1);
    assert_eq!(BreakerState::HalfOpen.as_str(), "half_open");
}
