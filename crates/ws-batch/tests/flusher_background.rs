//! The background flusher, under tokio's paused clock: a push into an idle outbox and a full
//! batch wake it,
//! the backoff schedule, requeues, and a clean stop that hands the sink back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{texts, Fault, TestSink};
use std::time::Duration;
use tokio::time::{sleep, Instant};
use ws_batch::{Backoff, Confirmation, Flusher, Jitter, Outbox, OutboxConfig};

fn config() -> OutboxConfig {
    let backoff = Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(1));
    OutboxConfig::default()
        .with_flush_interval(Duration::from_millis(50))
        .with_batch_size(4)
        .with_backoff(backoff.with_jitter(Jitter::None))
}

async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

fn push_all(outbox: &Outbox<String>, count: usize) {
    for text in texts("m", count) {
        outbox.push(text).unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_partial_batch_goes_out_at_once_in_one_flush() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let sink = TestSink::<String>::new();
    let flusher = Flusher::spawn(outbox.clone(), sink.clone());
    settle().await;
    let start = Instant::now();
    push_all(&outbox, 3);
    settle().await;
    assert_eq!(sink.delivered(), texts("m", 3), "no wait for the flush interval");
    assert_eq!(sink.flushes(), 1, "pushed before the flusher ran: one batch");
    assert_eq!(Instant::now(), start, "no time passed");
    flusher.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_full_batch_goes_out_at_once() {
    let config = config().with_flush_interval(Duration::from_secs(3600));
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    let sink = TestSink::<String>::new();
    let flusher = Flusher::spawn(outbox.clone(), sink.clone());
    settle().await;
    let start = Instant::now();
    push_all(&outbox, 4);
    settle().await;
    assert_eq!(sink.delivered().len(), 4);
    assert_eq!(Instant::now(), start, "no time passed");
    assert!(!flusher.is_finished());
    flusher.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn retries_follow_the_backoff_schedule() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config().with_max_attempts(10));
    let sink = TestSink::<String>::new();
    sink.set_fault(Fault::Flush);
    let flusher = Flusher::spawn(outbox.clone(), sink.clone());
    settle().await;
    push_all(&outbox, 1);
    let attempts = || outbox.snapshot()[0].attempts;
    settle().await;
    assert_eq!(attempts(), 1, "first try at once");
    sleep(Duration::from_millis(98)).await;
    assert_eq!(attempts(), 1, "not before the 100 ms backoff");
    sleep(Duration::from_millis(3)).await;
    assert_eq!(attempts(), 2, "retried when the 100 ms backoff ran out");
    sleep(Duration::from_millis(201)).await;
    assert_eq!(attempts(), 3, "then after 200 ms");
    sink.set_fault(Fault::None);
    sleep(Duration::from_millis(401)).await;
    assert_eq!(sink.delivered(), texts("m", 1));
    assert!(outbox.stats().is_empty());
    flusher.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_requeue_wakes_the_flusher_and_resends_first() {
    let config = config().with_confirmation(Confirmation::Ack);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    let old = TestSink::<String>::new();
    let flusher = Flusher::spawn(outbox.clone(), old.clone());
    push_all(&outbox, 4);
    settle().await;
    assert_eq!(outbox.stats().awaiting_ack, 4);
    let old = flusher.stop().await.unwrap();
    assert_eq!(old.delivered().len(), 4);

    let new = TestSink::<String>::new();
    outbox.push("later".to_string()).unwrap();
    assert_eq!(outbox.requeue_unacked().await, 4);
    let flusher = Flusher::spawn(outbox.clone(), new.clone());
    settle().await;
    let mut expected = texts("m", 4);
    expected.push("later".to_string());
    assert_eq!(new.delivered(), expected);
    outbox.ack(5).unwrap();
    assert!(outbox.stats().is_empty());
    drop(flusher);
}

#[tokio::test(start_paused = true)]
async fn stop_leaves_unsent_messages_in_the_outbox() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let sink = TestSink::<String>::new();
    sink.set_fault(Fault::Hang);
    let flusher = Flusher::spawn(outbox.clone(), sink.clone());
    push_all(&outbox, 4);
    settle().await;
    let stopping = tokio::spawn(flusher.stop());
    let sink = stopping.await.unwrap().unwrap();
    assert!(sink.delivered().is_empty());
    assert_eq!(outbox.stats().pending, 4, "the hung flush timed out; nothing lost");
    assert_eq!(outbox.snapshot()[0].attempts, 1);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_flusher_stops_its_task() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let flusher = Flusher::spawn(outbox.clone(), TestSink::<String>::new());
    drop(flusher);
    settle().await;
    push_all(&outbox, 1);
    sleep(Duration::from_secs(1)).await;
    assert_eq!(outbox.stats().pending, 1, "no task flushes any more");
}
