//! The flusher on an idle link, under tokio's paused clock: a lone message goes out at once,
//! and an idle outbox never wakes the flusher.

use crate::{Flusher, Outbox, OutboxConfig};
use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use std::time::Duration;
use tokio::time::{sleep, Instant};

/// An outbox with the default configuration (a 10 ms flush interval) and its flusher into a
/// channel.
fn idle() -> (
    Outbox<String>,
    Flusher<futures::channel::mpsc::UnboundedSender<String>>,
    UnboundedReceiver<String>,
) {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(OutboxConfig::default());
    let (sink, sent) = unbounded::<String>();
    let flusher = Flusher::spawn(outbox.clone(), sink);
    (outbox, flusher, sent)
}

/// Lets the flusher task run until it waits again.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

fn sent_now(sent: &mut UnboundedReceiver<String>) -> Vec<String> {
    std::iter::from_fn(|| sent.try_recv().ok()).collect()
}

#[tokio::test(start_paused = true)]
async fn a_push_into_an_idle_outbox_goes_out_at_once() {
    let (outbox, flusher, mut sent) = idle();
    settle().await;
    let start = Instant::now();
    outbox.push("lone".to_string()).unwrap();
    settle().await;
    assert_eq!(sent_now(&mut sent), ["lone"]);
    assert_eq!(Instant::now(), start, "no flush interval passed");
    assert!(outbox.stats().is_empty());
    drop(flusher.stop().await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn an_idle_outbox_does_not_wake_the_flusher() {
    let (outbox, flusher, mut sent) = idle();
    settle().await;
    sleep(Duration::from_secs(10)).await; // a thousand flush intervals
    assert_eq!(outbox.wakeups(), 0, "an empty queue sleeps until a push");
    outbox.push("one".to_string()).unwrap();
    settle().await;
    assert_eq!(sent_now(&mut sent), ["one"]);
    assert_eq!(outbox.wakeups(), 1, "woken once, by the push");
    sleep(Duration::from_secs(10)).await;
    assert_eq!(outbox.wakeups(), 1, "empty again: asleep again");
    drop(flusher.stop().await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn pushes_into_a_busy_outbox_wake_nobody() {
    let (outbox, flusher, mut sent) = idle();
    settle().await;
    for text in ["a", "b", "c"] {
        outbox.push(text.to_string()).unwrap(); // only the first finds none pending
    }
    settle().await;
    assert_eq!(sent_now(&mut sent), ["a", "b", "c"]);
    assert_eq!(outbox.wakeups(), 1, "one wake-up, one flush for the three");
    drop(flusher.stop().await.unwrap());
}
