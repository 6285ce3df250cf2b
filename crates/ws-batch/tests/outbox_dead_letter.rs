//! After the last attempt a message is dead-lettered with its sequence number, attempts and
//! last error, on a channel or a callback; never dropped silently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, Fault, TestSink};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ws_batch::{Confirmation, DeadLetter, DeadLetterHandler, Outbox, OutboxConfig, SendFailure};

fn config(max_attempts: u32) -> OutboxConfig {
    OutboxConfig::default().with_max_attempts(max_attempts).with_jitter_seed(1)
}

async fn fail_every_flush(outbox: &Outbox<String>, flushes: usize) {
    let mut sink = TestSink::new();
    sink.set_fault(Fault::Flush);
    for _ in 0..flushes {
        let _ = outbox.flush_with(&mut sink, frame).await;
        tokio::time::advance(Duration::from_secs(60)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn the_last_failed_attempt_goes_to_the_dead_letter_channel() {
    let (outbox, mut dead) = Outbox::with_dead_letter_channel(config(3));
    let seq = outbox.push("doomed".to_string()).unwrap();
    fail_every_flush(&outbox, 2).await;
    assert!(dead.try_recv().is_err(), "two failures of three: still live");
    assert_eq!(outbox.snapshot()[0].attempts, 2);
    fail_every_flush(&outbox, 1).await;
    let letter = dead.try_recv().unwrap();
    let expected = SendFailure::Transport("broken pipe".to_string());
    assert_eq!(
        letter,
        DeadLetter { seq, message: "doomed".to_string(), attempts: 3, last_error: expected }
    );
    assert!(outbox.stats().is_empty(), "out of the live queue");
}

#[tokio::test(start_paused = true)]
async fn a_callback_receives_the_dead_letters() {
    let seen: Arc<Mutex<Vec<DeadLetter<String>>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let handler = DeadLetterHandler::callback(move |letter| sink.lock().unwrap().push(letter));
    let outbox = Outbox::new(config(1), handler);
    outbox.push("a".to_string()).unwrap();
    outbox.push("b".to_string()).unwrap();
    fail_every_flush(&outbox, 1).await;
    let seqs: Vec<u64> = seen.lock().unwrap().iter().map(|letter| letter.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert!(format!("{:?}", outbox.config()).contains("max_attempts: 1"));
}

#[tokio::test(start_paused = true)]
async fn requeues_count_as_attempts_and_end_in_a_dead_letter() {
    let config = config(2).with_confirmation(Confirmation::Ack);
    let (outbox, mut dead) = Outbox::with_dead_letter_channel(config);
    outbox.push("never acked".to_string()).unwrap();
    let mut sink = TestSink::new();
    for _ in 0..2 {
        outbox.flush_with(&mut sink, frame).await.unwrap();
        outbox.requeue_unacked().await;
    }
    let letter = dead.try_recv().unwrap();
    assert_eq!((letter.seq, letter.attempts, letter.last_error), (1, 2, SendFailure::Unacked));
    assert!(outbox.stats().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_dead_letter_nobody_takes_is_still_out_of_the_queue() {
    let (outbox, dead) = Outbox::with_dead_letter_channel(config(1));
    drop(dead);
    outbox.push("x".to_string()).unwrap();
    fail_every_flush(&outbox, 1).await;
    assert!(outbox.stats().is_empty());
}

#[test]
fn the_handler_names_its_kind() {
    let (channel, _receiver) = DeadLetterHandler::<String>::channel();
    assert_eq!(format!("{channel:?}"), "DeadLetterHandler::Channel");
    let callback = DeadLetterHandler::<String>::callback(|_| {});
    assert_eq!(format!("{callback:?}"), "DeadLetterHandler::Callback");
}
