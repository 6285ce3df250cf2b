//! A network failure in the middle of a batch loses nothing: on the Nth item, on the flush,
//! on a hang, or when the flush is dropped; everything arrives, in order, once the sink recovers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, texts, Fault, TestSink};
use std::time::Duration;
use ws_batch::{EntryState, Jitter, Outbox, OutboxConfig, OutboxError, SendFailure};

fn config() -> OutboxConfig {
    let backoff = ws_batch::Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(1));
    OutboxConfig::default()
        .with_batch_size(8)
        .with_max_attempts(10)
        .with_backoff(backoff.with_jitter(Jitter::None))
        .with_flush_timeout(Duration::from_secs(2))
}

/// Flushes until the outbox is empty, advancing paused time past every backoff.
async fn drain(outbox: &Outbox<String>, sink: &mut TestSink<(u64, String)>) {
    for _ in 0..100 {
        if outbox.stats().is_empty() {
            return;
        }
        let _ = outbox.flush_with(sink, frame).await;
        tokio::time::advance(Duration::from_secs(1)).await;
    }
    panic!("outbox never drained: {:?}", outbox.stats());
}

async fn fails_then_recovers(fault: Fault) {
    let (outbox, mut dead) = Outbox::with_dead_letter_channel(config());
    let mut sink = TestSink::new();
    let sent = texts("m", 20);
    sent.iter().for_each(|text| {
        outbox.push(text.clone()).unwrap();
    });

    sink.set_fault(fault);
    let error = outbox.flush_with(&mut sink, frame).await.unwrap_err();
    assert!(matches!(error, OutboxError::Flush(_)), "{error}");
    assert_eq!(outbox.stats().len(), 20, "100% retained after the failure");
    let retried: Vec<_> = outbox.snapshot().into_iter().take(8).collect();
    assert!(retried.iter().all(|entry| entry.state == EntryState::Pending && entry.attempts == 1));
    assert!(sink.delivered().is_empty());

    sink.set_fault(Fault::None);
    drain(&outbox, &mut sink).await;
    let delivered = sink.delivered();
    assert_eq!(
        delivered.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    assert_eq!(delivered.into_iter().map(|(_, text)| text).collect::<Vec<_>>(), sent);
    assert!(dead.try_recv().is_err(), "nothing dead-lettered");
}

#[tokio::test(start_paused = true)]
async fn failure_on_the_nth_item_keeps_every_message() {
    fails_then_recovers(Fault::Item(5)).await;
}

#[tokio::test(start_paused = true)]
async fn failure_on_the_first_item_keeps_every_message() {
    fails_then_recovers(Fault::Item(1)).await;
}

#[tokio::test(start_paused = true)]
async fn failure_on_flush_keeps_every_message() {
    fails_then_recovers(Fault::Flush).await;
}

#[tokio::test(start_paused = true)]
async fn a_hung_flush_times_out_and_keeps_every_message() {
    fails_then_recovers(Fault::Hang).await;
}

#[tokio::test(start_paused = true)]
async fn a_hung_flush_fails_with_the_timeout() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let mut sink = TestSink::new();
    outbox.push("x".to_string()).unwrap();
    sink.set_fault(Fault::Hang);
    let error = outbox.flush_with(&mut sink, frame).await.unwrap_err();
    assert!(
        matches!(error, OutboxError::Flush(SendFailure::Timeout(timeout)) if timeout == Duration::from_secs(2))
    );
    assert_eq!(outbox.snapshot()[0].state, EntryState::Pending);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_flush_puts_its_batch_back() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let mut sink = TestSink::new();
    texts("m", 3).into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
    sink.set_fault(Fault::Hang);
    let flush = outbox.flush_with(&mut sink, frame);
    let cut = tokio::time::timeout(Duration::from_millis(10), flush).await;
    assert!(cut.is_err(), "the flush was still hanging when dropped");
    let entries = outbox.snapshot();
    assert!(entries.iter().all(|entry| entry.state == EntryState::Pending && entry.attempts == 1));
    sink.set_fault(Fault::None);
    drain(&outbox, &mut sink).await;
    assert_eq!(sink.delivered().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn newer_messages_never_overtake_a_retry() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config().with_batch_size(2));
    let mut sink = TestSink::new();
    texts("old", 2).into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
    sink.set_fault(Fault::Flush);
    outbox.flush_with(&mut sink, frame).await.unwrap_err();
    sink.set_fault(Fault::None);
    texts("new", 2).into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
    let early = outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!(early.sent, 0, "the retry is not due, and nothing newer goes first");
    tokio::time::advance(Duration::from_millis(100)).await;
    drain(&outbox, &mut sink).await;
    let seqs: Vec<u64> = sink.delivered().into_iter().map(|(seq, _)| seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
}

/// A sink that waits `delay` (paused time) before taking each item.
fn slow_sink(delay: Duration) -> impl futures::Sink<String, Error = String> + Unpin {
    let taken = futures::sink::unfold((), move |(), _item: String| async move {
        tokio::time::sleep(delay).await;
        Ok::<_, String>(())
    });
    Box::pin(taken)
}

#[tokio::test(start_paused = true)]
async fn a_slow_flush_within_its_timeout_succeeds() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    outbox.push("x".to_string()).unwrap();
    let report = outbox.flush(&mut slow_sink(Duration::from_millis(1500))).await.unwrap();
    assert_eq!((report.sent, report.last_seq), (1, Some(1)));
}

#[tokio::test(start_paused = true)]
async fn a_slow_flush_past_its_timeout_fails_with_the_timeout() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    outbox.push("x".to_string()).unwrap();
    let error = outbox.flush(&mut slow_sink(Duration::from_secs(3))).await.unwrap_err();
    assert!(matches!(error, OutboxError::Flush(SendFailure::Timeout(_))));
    assert_eq!(outbox.snapshot()[0].state, EntryState::Pending);
}
