//! The retry schedule after failed flushes, under tokio's paused clock: growth, cap, jitter.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, Fault, TestSink};
use std::time::Duration;
use tokio::time::Instant;
use ws_batch::{Backoff, Jitter, JitterRng, Outbox, OutboxConfig};

const SEED: u64 = 42;

fn backoff(jitter: Jitter) -> Backoff {
    Backoff::new(Duration::from_millis(100), 2.0, Duration::from_millis(800)).with_jitter(jitter)
}

/// Fails one message `failures` times and returns each delay the outbox scheduled.
async fn observed_delays(jitter: Jitter, failures: u32) -> Vec<Duration> {
    let config = OutboxConfig::default()
        .with_backoff(backoff(jitter))
        .with_max_attempts(failures + 1)
        .with_jitter_seed(SEED);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    let mut sink = TestSink::new();
    sink.set_fault(Fault::Flush);
    outbox.push("x".to_string()).unwrap();
    let mut delays = Vec::new();
    for _ in 0..failures {
        outbox.flush_with(&mut sink, frame).await.unwrap_err();
        let due = outbox.snapshot()[0].due_at;
        let delay = due - Instant::now();
        delays.push(delay);
        if delay > Duration::from_millis(1) {
            tokio::time::advance(delay - Duration::from_millis(1)).await;
            let early = outbox.flush_with(&mut sink, frame).await.unwrap();
            assert_eq!(early.sent, 0, "not resent before its retry time");
        }
        tokio::time::advance(due - Instant::now()).await;
    }
    delays
}

#[tokio::test(start_paused = true)]
async fn delays_grow_by_the_multiplier_up_to_the_cap() {
    let delays = observed_delays(Jitter::None, 6).await;
    let millis: Vec<u128> = delays.iter().map(Duration::as_millis).collect();
    assert_eq!(millis, vec![100, 200, 400, 800, 800, 800]);
}

#[tokio::test(start_paused = true)]
async fn equal_jitter_stays_between_half_and_the_ceiling() {
    let schedule = backoff(Jitter::Equal);
    let delays = observed_delays(Jitter::Equal, 6).await;
    for (attempt, delay) in delays.iter().enumerate() {
        let ceiling = schedule.ceiling(attempt as u32);
        assert!(*delay >= ceiling / 2 && *delay <= ceiling, "attempt {attempt}: {delay:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn full_jitter_stays_under_the_ceiling_and_follows_the_seed() {
    let schedule = backoff(Jitter::Full);
    let delays = observed_delays(Jitter::Full, 6).await;
    let mut rng = JitterRng::seeded(SEED);
    for (attempt, delay) in delays.iter().enumerate() {
        assert!(*delay <= schedule.ceiling(attempt as u32), "attempt {attempt}: {delay:?}");
        assert_eq!(*delay, schedule.delay(attempt as u32, &mut rng), "seeded: deterministic");
    }
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_gives_the_same_schedule() {
    let first = observed_delays(Jitter::Equal, 4).await;
    let second = observed_delays(Jitter::Equal, 4).await;
    assert_eq!(first, second);
}
