//! Ack confirmation: cumulative acks, a typed error for an ack of a never-sent sequence,
//! harmless repeats, requeue order on reconnect, ack timeouts, and acks during a flush.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, texts, Fault, TestSink};
use std::time::Duration;
use ws_batch::{Confirmation, EntryState, Outbox, OutboxConfig, OutboxError};

fn ack_config() -> OutboxConfig {
    OutboxConfig::default().with_confirmation(Confirmation::Ack).with_jitter_seed(3)
}

fn push_all(outbox: &Outbox<String>, texts: Vec<String>) {
    texts.into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
}

fn seqs(sink: &TestSink<(u64, String)>) -> Vec<u64> {
    sink.delivered().into_iter().map(|(seq, _)| seq).collect()
}

#[tokio::test(start_paused = true)]
async fn sent_messages_wait_for_a_cumulative_ack() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(ack_config());
    let mut sink = TestSink::new();
    push_all(&outbox, texts("m", 5));
    let report = outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!((report.sent, report.confirmed, report.last_seq), (5, 0, Some(5)));
    assert_eq!(outbox.stats().awaiting_ack, 5);
    assert_eq!(outbox.ack(2).unwrap(), 2);
    assert_eq!(outbox.ack(2).unwrap(), 0, "a repeated ack is harmless");
    assert_eq!(outbox.ack(1).unwrap(), 0, "an older ack is harmless");
    assert_eq!(outbox.ack(0).unwrap(), 0, "0 acks nothing");
    let left: Vec<u64> = outbox.snapshot().iter().map(|entry| entry.seq).collect();
    assert_eq!(left, vec![3, 4, 5]);
    assert_eq!(outbox.ack(5).unwrap(), 3);
    assert!(outbox.stats().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_ack_of_a_sequence_never_sent_is_a_typed_error() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(ack_config());
    outbox.push("queued, not sent".to_string()).unwrap();
    let error = outbox.ack(1).unwrap_err();
    assert!(matches!(error, OutboxError::AckOfUnsent { seq: 1, highest_sent: None }));
    outbox.flush_with(&mut TestSink::new(), frame).await.unwrap();
    let error = outbox.ack(7).unwrap_err();
    assert!(matches!(error, OutboxError::AckOfUnsent { seq: 7, highest_sent: Some(1) }));
    assert_eq!(error.to_string(), "ack of sequence 7 that was never sent (highest sent: Some(1))");
    assert!(error.into_message().is_none());
    assert_eq!(outbox.stats().awaiting_ack, 1, "a bad ack changes nothing");
}

#[tokio::test(start_paused = true)]
async fn requeued_messages_keep_their_numbers_and_go_before_newer_ones() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(ack_config());
    let mut old_socket = TestSink::new();
    push_all(&outbox, texts("old", 5));
    outbox.flush_with(&mut old_socket, frame).await.unwrap();
    outbox.ack(2).unwrap();
    push_all(&outbox, texts("new", 2));
    assert_eq!(outbox.requeue_unacked().await, 3);
    let states: Vec<_> = outbox.snapshot().iter().map(|e| (e.seq, e.state, e.attempts)).collect();
    let pending = EntryState::Pending;
    let expected =
        [(3, pending, 1), (4, pending, 1), (5, pending, 1), (6, pending, 0), (7, pending, 0)];
    assert_eq!(states, expected);
    let mut new_socket = TestSink::new();
    outbox.flush_with(&mut new_socket, frame).await.unwrap();
    assert_eq!(seqs(&new_socket), vec![3, 4, 5, 6, 7]);
    assert_eq!(new_socket.delivered()[0].1, "old2");
}

#[tokio::test(start_paused = true)]
async fn an_unacked_message_is_resent_after_the_ack_timeout() {
    let config = ack_config().with_ack_timeout(Some(Duration::from_secs(1)));
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    let mut sink = TestSink::new();
    outbox.push("x".to_string()).unwrap();
    outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!(outbox.flush_with(&mut sink, frame).await.unwrap().sent, 0);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(outbox.flush_with(&mut sink, frame).await.unwrap().sent, 1);
    assert_eq!(seqs(&sink), vec![1, 1]);
    assert_eq!(outbox.snapshot()[0].attempts, 1);
}

#[tokio::test(start_paused = true)]
async fn an_ack_during_the_flush_confirms_when_the_batch_settles() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(ack_config());
    let mut sink = TestSink::new();
    let acker = outbox.clone();
    sink.on_feed(move || drop(acker.ack(2)));
    push_all(&outbox, texts("m", 3));
    let report = outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!((report.sent, report.confirmed), (3, 2));
    assert_eq!(outbox.snapshot().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
}

#[tokio::test(start_paused = true)]
async fn an_ack_during_a_failed_flush_still_confirms() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(ack_config());
    let mut sink = TestSink::new();
    let acker = outbox.clone();
    sink.on_feed(move || drop(acker.ack(1)));
    sink.set_fault(Fault::Flush);
    push_all(&outbox, texts("m", 3));
    outbox.flush_with(&mut sink, frame).await.unwrap_err();
    let left: Vec<_> = outbox.snapshot().iter().map(|e| (e.seq, e.attempts)).collect();
    assert_eq!(left, vec![(2, 1), (3, 1)], "the acked one left; the others will be retried");
}

#[tokio::test(start_paused = true)]
async fn flush_confirmation_ignores_acks_of_sent_messages() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(OutboxConfig::default());
    push_all(&outbox, texts("m", 2));
    let report = outbox.flush_with(&mut TestSink::new(), frame).await.unwrap();
    assert_eq!((report.sent, report.confirmed), (2, 2));
    assert_eq!(outbox.ack(2).unwrap(), 0);
    assert_eq!(outbox.requeue_unacked().await, 0);
}
