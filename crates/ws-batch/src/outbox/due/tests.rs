//! The flusher's timer on a paused clock: kept from wait to wait, reset only for a sooner
//! deadline or once fired.

use crate::{Confirmation, Outbox, OutboxConfig};
use std::time::Duration;
use tokio::time::Instant;

/// An outbox with one message sent and awaiting its ack for `ack_timeout`.
async fn awaiting_ack(ack_timeout: Duration) -> Outbox<Vec<u8>> {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack);
    let (outbox, _dead) =
        Outbox::with_dead_letter_channel(config.with_ack_timeout(Some(ack_timeout)));
    send(&outbox, 1).await;
    outbox
}

/// Pushes and flushes message `byte`, and takes the push's wake-up, as a flusher does.
async fn send(outbox: &Outbox<Vec<u8>>, byte: u8) {
    outbox.push(vec![byte]).unwrap();
    outbox.flush(&mut futures::sink::drain()).await.unwrap();
    outbox.until_due_timed(&mut None).await;
}

#[tokio::test(start_paused = true)]
async fn a_wake_up_before_the_deadline_leaves_the_timer_armed() {
    let outbox = awaiting_ack(Duration::from_secs(30)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut timer = None;
    {
        let waiting = outbox.until_due_timed(&mut timer);
        tokio::pin!(waiting);
        assert!(futures::poll!(&mut waiting).is_pending(), "asleep until the ack deadline");
        outbox.push(vec![2]).unwrap(); // into an idle outbox: wakes the flusher
        waiting.await;
    }
    let armed = timer.as_ref().map(|sleep| sleep.deadline());
    assert_eq!(armed, Some(deadline), "the same timer, still armed");
}

#[tokio::test(start_paused = true)]
async fn a_later_deadline_keeps_the_armed_one_and_a_sooner_one_resets_it() {
    let outbox = awaiting_ack(Duration::from_secs(30)).await;
    let start = Instant::now();
    let mut timer = None;
    assert!(futures::poll!(Box::pin(outbox.until_due_timed(&mut timer))).is_pending());
    tokio::time::advance(Duration::from_secs(5)).await;
    outbox.ack(1).unwrap();
    send(&outbox, 2).await; // its ack is due at 35 s
    assert!(futures::poll!(Box::pin(outbox.until_due_timed(&mut timer))).is_pending());
    let armed = || timer.as_ref().map(|sleep| sleep.deadline());
    assert_eq!(armed(), Some(start + Duration::from_secs(30)), "kept: it fires early, once");
    let later = start + Duration::from_secs(60);
    timer.as_mut().into_iter().for_each(|sleep| sleep.as_mut().reset(later));
    assert!(futures::poll!(Box::pin(outbox.until_due_timed(&mut timer))).is_pending());
    let armed = timer.as_ref().map(|sleep| sleep.deadline());
    assert_eq!(armed, Some(start + Duration::from_secs(35)), "a sooner deadline resets it");
}

#[tokio::test(start_paused = true)]
async fn the_timer_fires_at_the_deadline_and_is_armed_again_after() {
    let outbox = awaiting_ack(Duration::from_secs(2)).await;
    let start = Instant::now();
    let mut timer = None;
    outbox.until_due_timed(&mut timer).await;
    assert_eq!(Instant::now(), start + Duration::from_secs(2), "woken by the ack deadline");
    assert!(timer.as_ref().is_some_and(|sleep| sleep.is_elapsed()));
    outbox.ack(1).unwrap();
    send(&outbox, 2).await;
    assert!(futures::poll!(Box::pin(outbox.until_due_timed(&mut timer))).is_pending());
    let rearmed = timer.as_ref().map(|sleep| sleep.deadline());
    assert_eq!(rearmed, Some(start + Duration::from_secs(4)), "the next message's deadline");
}
