//! The batched push: one lock for many messages, contiguous sequence numbers, a refusal that
//! hands the refused message back and leaves the rest with the caller, metrics and wake-ups.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, texts, TestSink};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::time::Duration;
use tokio::time::Instant;
use ws_batch::metrics as names;
use ws_batch::{Flusher, Outbox, OutboxConfig, OutboxError};

fn outbox(config: OutboxConfig) -> Outbox<String> {
    Outbox::with_dead_letter_channel(config).0
}

#[tokio::test]
async fn numbers_follow_single_pushes_and_flush_in_order() {
    let outbox = outbox(OutboxConfig::default());
    outbox.push("single".to_string()).unwrap();
    let pushed = outbox.push_many(texts("m", 4));
    assert_eq!((pushed.len(), pushed.is_empty()), (4, false));
    assert_eq!(pushed.into_result().unwrap(), 2..6);
    assert_eq!(outbox.push("after".to_string()).unwrap(), 6);
    let mut sink = TestSink::new();
    outbox.flush_with(&mut sink, frame).await.unwrap();
    let expected = ["single", "m0", "m1", "m2", "m3", "after"].into_iter().map(String::from);
    assert_eq!(sink.delivered(), (1..=6).zip(expected).collect::<Vec<_>>());
}

#[test]
fn nothing_to_push_queues_nothing() {
    let outbox = outbox(OutboxConfig::default());
    let pushed = outbox.push_many(Vec::new());
    assert!(pushed.is_empty());
    assert_eq!(pushed.into_result().unwrap(), 1..1);
    assert!(outbox.stats().is_empty());
}

#[test]
fn a_full_outbox_hands_back_the_refused_message_and_leaves_the_rest() {
    let outbox = outbox(OutboxConfig::default().with_capacity_messages(3));
    let mut messages = texts("m", 5).into_iter();
    let pushed = outbox.push_many(messages.by_ref());
    assert_eq!(pushed.seqs, 1..4);
    match pushed.refused {
        Some(OutboxError::FullMessages { message, capacity: 3 }) => assert_eq!(message, "m3"),
        other => panic!("expected a count refusal, got {other:?}"),
    }
    assert_eq!(messages.collect::<Vec<_>>(), ["m4"]);
    assert_eq!(outbox.stats().pending, 3);
}

#[test]
fn the_byte_capacity_refuses_too() {
    let outbox = outbox(OutboxConfig::default().with_capacity_bytes(5));
    let pushed = outbox.push_many(["abc", "de", "f"].map(String::from));
    assert_eq!(pushed.seqs, 1..3);
    let refused = pushed.into_result().unwrap_err();
    assert!(matches!(refused, OutboxError::FullBytes { size: 1, queued: 5, capacity: 5, .. }));
    assert_eq!(refused.into_message().as_deref(), Some("f"));
}

#[test]
fn metrics_count_the_lot() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let outbox = outbox(OutboxConfig::default().with_capacity_messages(3));
        let _refused = outbox.push_many(texts("m", 5));
        let values = snapshotter.snapshot().into_vec();
        let value = |name: &str| {
            let found = values.iter().find(|(key, ..)| key.key().name() == name).unwrap();
            match &found.3 {
                DebugValue::Counter(count) => *count as f64,
                DebugValue::Gauge(gauge) => gauge.into_inner(),
                DebugValue::Histogram(_) => panic!("{name} is not a histogram"),
            }
        };
        assert_eq!(value(names::ENQUEUED), 3.0);
        assert_eq!(value(names::REJECTED), 1.0);
        assert_eq!(value(names::PENDING), 3.0);
    });
}

#[tokio::test(start_paused = true)]
async fn filling_a_batch_wakes_the_flusher_at_once() {
    let config =
        OutboxConfig::default().with_batch_size(4).with_flush_interval(Duration::from_secs(3600));
    let outbox = outbox(config);
    let sink = TestSink::<String>::new();
    let flusher = Flusher::spawn(outbox.clone(), sink.clone());
    tokio::task::yield_now().await;
    let start = Instant::now();
    outbox.push_many(texts("m", 3)).into_result().unwrap();
    outbox.push_many(texts("n", 2)).into_result().unwrap();
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    let expected = ["m0", "m1", "m2", "n0", "n1"].map(String::from);
    assert_eq!(sink.delivered(), expected, "the second call filled a batch: all went out");
    assert_eq!(Instant::now(), start, "no time passed");
    flusher.stop().await.unwrap();
}
