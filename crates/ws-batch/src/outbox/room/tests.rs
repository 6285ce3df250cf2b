//! Unit tests of `push_wait` and `push_if_room`: waiting for room, and refusing what can never fit.

use crate::{Confirmation, Outbox, OutboxConfig, OutboxError};
use std::ops::ControlFlow;
use std::time::Duration;

fn ack_outbox(capacity: usize) -> Outbox<Vec<u8>> {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack);
    Outbox::with_dead_letter_channel(config.with_capacity_messages(capacity)).0
}

async fn flush(outbox: &Outbox<Vec<u8>>) -> u64 {
    let mut sink = futures::sink::drain();
    outbox.flush(&mut sink).await.unwrap().last_seq.unwrap()
}

#[tokio::test]
async fn push_wait_queues_at_once_when_there_is_room() {
    let outbox = ack_outbox(2);
    assert_eq!(outbox.push_wait(vec![1]).await.unwrap(), 1);
    assert_eq!(outbox.push_wait(vec![2]).await.unwrap(), 2);
    assert_eq!(outbox.stats().pending, 2);
}

#[tokio::test]
async fn push_wait_waits_for_an_ack_to_free_room() {
    let outbox = ack_outbox(1);
    outbox.push(vec![1]).unwrap();
    let waiting = outbox.push_wait(vec![2]);
    tokio::pin!(waiting);
    assert!(futures::poll!(&mut waiting).is_pending(), "a full outbox makes it wait");
    let last = flush(&outbox).await;
    assert!(futures::poll!(&mut waiting).is_pending(), "sent but unacked still holds room");
    outbox.ack(last).unwrap();
    assert_eq!(waiting.await.unwrap(), 2);
    assert_eq!(outbox.stats().pending, 1);
}

#[tokio::test]
async fn push_wait_wakes_on_a_flush_under_flush_confirmation() {
    let config = OutboxConfig::default().with_capacity_messages(1);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    outbox.push(vec![1]).unwrap();
    let producer = outbox.clone();
    let waiting = tokio::spawn(async move { producer.push_wait(vec![2]).await });
    tokio::task::yield_now().await;
    flush(&outbox).await;
    let pushed = tokio::time::timeout(Duration::from_secs(5), waiting).await;
    assert_eq!(pushed.unwrap().unwrap().unwrap(), 2);
}

#[tokio::test]
async fn push_wait_refuses_what_can_never_fit() {
    let config = OutboxConfig::default().with_capacity_bytes(4);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    let refused = outbox.push_wait(vec![0; 8]).await.unwrap_err();
    assert!(matches!(refused, OutboxError::FullBytes { size: 8, .. }));
    assert_eq!(refused.into_message(), Some(vec![0; 8]));
}

#[tokio::test]
async fn dropping_a_waiting_push_queues_nothing() {
    let outbox = ack_outbox(1);
    outbox.push(vec![1]).unwrap();
    {
        let waiting = outbox.push_wait(vec![2]);
        tokio::pin!(waiting);
        assert!(futures::poll!(&mut waiting).is_pending());
    }
    let last = flush(&outbox).await;
    outbox.ack(last).unwrap();
    assert!(outbox.stats().is_empty());
}

#[test]
fn push_if_room_queues_or_hands_the_message_back_uncounted() {
    let outbox = ack_outbox(1);
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        assert!(matches!(outbox.push_if_room(vec![1]), ControlFlow::Break(Ok(1))));
        assert!(matches!(outbox.push_if_room(vec![2]), ControlFlow::Continue(back) if back == [2]));
    });
    let rejected = snapshotter.snapshot().into_vec();
    assert!(!rejected.iter().any(|(key, ..)| key.key().name().contains("rejected")));
    assert_eq!(outbox.stats().pending, 1);
}
