//! Tests of the backoff schedule: growth, cap, jitter bounds and determinism.

use super::{Backoff, Jitter, JitterRng};
use proptest::prelude::*;
use std::time::Duration;

fn millis(value: u64) -> Duration {
    Duration::from_millis(value)
}

#[test]
fn grows_by_the_multiplier_until_the_cap() {
    let backoff = Backoff::new(millis(100), 2.0, millis(1000));
    let ceilings: Vec<_> = (0..6).map(|attempt| backoff.ceiling(attempt)).collect();
    assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000].map(millis));
}

#[test]
fn huge_attempts_stay_at_the_cap() {
    let backoff = Backoff::default();
    assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(30));
}

#[test]
fn bad_parameters_are_normalised() {
    let backoff = Backoff::new(millis(500), f64::NAN, millis(10));
    assert_eq!(backoff.multiplier(), 1.0);
    assert_eq!(backoff.cap(), millis(500));
    assert_eq!(Backoff::new(millis(1), 0.5, millis(1)).multiplier(), 1.0);
}

#[test]
fn no_jitter_is_exact() {
    let backoff = Backoff::new(millis(10), 3.0, millis(1000)).with_jitter(Jitter::None);
    assert_eq!(backoff.delay(2, &mut JitterRng::seeded(1)), millis(90));
    assert_eq!(backoff.jitter(), Jitter::None);
    assert_eq!(backoff.initial(), millis(10));
}

#[test]
fn same_seed_same_delays() {
    let backoff = Backoff::default();
    let run = |seed| {
        let mut rng = JitterRng::seeded(seed);
        (0..10).map(|attempt| backoff.delay(attempt, &mut rng)).collect::<Vec<_>>()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}

#[test]
fn full_jitter_spreads_over_the_whole_range() {
    let backoff = Backoff::new(millis(1000), 2.0, millis(1000));
    let mut rng = JitterRng::default();
    let delays: Vec<_> = (0..1000).map(|_| backoff.delay(0, &mut rng)).collect();
    assert!(delays.iter().any(|delay| *delay < millis(100)));
    assert!(delays.iter().any(|delay| *delay > millis(900)));
}

proptest! {
    #[test]
    fn jittered_delays_stay_in_bounds(seed: u64, attempt in 0u32..64) {
        let full = Backoff::new(millis(50), 2.0, millis(5000));
        let equal = full.with_jitter(Jitter::Equal);
        let mut rng = JitterRng::seeded(seed);
        let ceiling = full.ceiling(attempt);
        prop_assert!(full.delay(attempt, &mut rng) <= ceiling);
        let delay = equal.delay(attempt, &mut rng);
        prop_assert!(delay >= ceiling / 2 && delay <= ceiling);
    }
}
