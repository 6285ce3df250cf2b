//! Unit tests of ack batching, on tokio's paused clock.

use super::*;
use tokio::time::advance;

fn config(every: u64, millis: u64) -> AckConfig {
    AckConfig { every, after: Duration::from_millis(millis) }
}

// [M6.1] an ack after K frames
#[tokio::test(start_paused = true)]
async fn acks_every_k_frames() {
    let mut batcher = AckBatcher::new(config(3, 100));
    assert_eq!(batcher.record(1), None);
    assert_eq!(batcher.record(2), None);
    assert_eq!(batcher.record(3), Some(3));
    assert_eq!(batcher.pending(), 0);
    assert_eq!(batcher.deadline(), None);
    assert_eq!(batcher.record(4), None);
    assert_eq!(batcher.record(5), None);
    assert_eq!(batcher.record(6), Some(6));
    assert_eq!(batcher.last_acked(), 6);
}

// [M6.1] an ack T after the oldest unacked frame
#[tokio::test(start_paused = true)]
async fn acks_after_t_from_the_oldest_unacked_frame() {
    let mut batcher = AckBatcher::new(config(64, 100));
    assert_eq!(batcher.record(1), None);
    advance(Duration::from_millis(60)).await;
    assert_eq!(batcher.record(2), None);
    assert_eq!(batcher.poll_expired(Instant::now()), None);
    advance(Duration::from_millis(40)).await;
    assert_eq!(batcher.poll_expired(Instant::now()), Some(2));
    assert_eq!(batcher.poll_expired(Instant::now()), None);
}

#[tokio::test(start_paused = true)]
async fn expired_waits_for_the_deadline() {
    let mut batcher = AckBatcher::new(config(64, 100));
    let start = Instant::now();
    batcher.record(7);
    assert_eq!(batcher.expired().await, 7);
    assert_eq!(Instant::now() - start, Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn expired_never_fires_while_nothing_is_pending() {
    let mut batcher = AckBatcher::new(config(64, 100));
    let waited = tokio::time::timeout(Duration::from_secs(3600), batcher.expired()).await;
    assert!(waited.is_err());
}

#[test]
fn duplicates_are_acked_again() {
    let mut batcher = AckBatcher::resuming_after(config(2, 100), 10);
    assert_eq!(batcher.record(9), None);
    assert_eq!(batcher.record(10), Some(10));
    assert_eq!(batcher.flush(), None);
    batcher.record(11);
    assert_eq!(batcher.flush(), Some(11));
}

// [M6.1] K = max(1, min(256, max_unacked / 4))
#[test]
fn k_is_at_least_one_and_at_most_a_quarter_of_the_window() {
    let mut batcher = AckBatcher::new(config(0, 100));
    assert_eq!(batcher.record(1), Some(1));
    let small = Limits { max_unacked: 10, ..Limits::default() };
    assert_eq!(AckConfig::for_limits(&small).every, 2);
    assert_eq!(AckConfig::for_limits(&Limits::default()), AckConfig::default());
    assert_eq!(AckConfig::for_limits(&Limits::default()).every, 256);
    let large = Limits { max_unacked: 1 << 20, ..Limits::default() };
    assert_eq!(AckConfig::for_limits(&large).every, 256);
    let tiny = Limits { max_unacked: 1, ..Limits::default() };
    assert_eq!(AckConfig::for_limits(&tiny).every, 1);
}

// [M7.10] with a keepalive, a quiet batcher repeats its last ack after the interval
#[tokio::test(start_paused = true)]
async fn a_keepalive_repeats_the_last_ack_when_quiet() {
    let mut batcher = AckBatcher::resuming_after(config(64, 100), 7)
        .with_keepalive(Some(Duration::from_secs(15)));
    let start = Instant::now();
    assert_eq!(batcher.expired().await, 7, "nothing received: the last ack again");
    assert_eq!(start.elapsed(), Duration::from_secs(15));
    batcher.record(8);
    assert_eq!(batcher.expired().await, 8, "T after the frame, before the keepalive");
    assert_eq!(batcher.deadline(), Some(Instant::now() + Duration::from_secs(15)));
    assert_eq!(AckBatcher::new(config(64, 100)).deadline(), None, "no keepalive by default");
}
