//! `OnAckTimeout::Report`: a peer that stops acking is reported overdue once, nothing is
//! resent on the same transport, and the flusher neither resends nor spins; an ack clears it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, TestSink};
use std::time::Duration;
use ws_batch::{Confirmation, Flusher, OnAckTimeout, Outbox, OutboxConfig};

fn reporting() -> OutboxConfig {
    OutboxConfig::default()
        .with_confirmation(Confirmation::Ack)
        .with_ack_timeout(Some(Duration::from_secs(1)))
        .with_on_ack_timeout(OnAckTimeout::Report)
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_never_acks_is_reported_overdue_and_nothing_is_resent() {
    let (outbox, _dead) = Outbox::<String>::with_dead_letter_channel(reporting());
    let sink = TestSink::new();
    let flusher = Flusher::spawn_with(outbox.clone(), sink.clone(), frame);
    outbox.push("m1".to_string()).unwrap();
    let started = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(5), outbox.ack_overdue()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "not before the ack timeout");
    tokio::time::sleep(Duration::from_secs(60)).await; // the paused clock: a minute of flushes
    assert_eq!(sink.delivered().len(), 1, "nothing resent on the same transport");
    outbox.ack(1).unwrap();
    outbox.push("m2".to_string()).unwrap();
    let again = tokio::time::timeout(Duration::from_millis(500), outbox.ack_overdue()).await;
    assert!(again.is_err(), "an ack cleared the overdue state");
    drop(flusher.stop().await);
}

#[tokio::test(start_paused = true)]
async fn the_default_still_resends_and_never_reports() {
    let config = reporting().with_on_ack_timeout(OnAckTimeout::Resend);
    let (outbox, _dead) = Outbox::<String>::with_dead_letter_channel(config);
    let mut sink = TestSink::new();
    outbox.push("m1".to_string()).unwrap();
    outbox.flush_with(&mut sink, frame).await.unwrap();
    tokio::time::advance(Duration::from_secs(2)).await;
    outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!(sink.delivered().len(), 2, "resent after the ack timeout");
    let reported = tokio::time::timeout(Duration::from_secs(5), outbox.ack_overdue()).await;
    assert!(reported.is_err(), "Resend never reports");
}
