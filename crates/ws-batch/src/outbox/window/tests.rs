//! Unit tests of the send window: a flush stops at the window, an ack reopens it.

use crate::{Confirmation, Outbox, OutboxConfig};

fn outbox(window: usize) -> Outbox<String> {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config.with_batch_size(64));
    outbox.set_window(window);
    outbox
}

#[tokio::test]
async fn a_flush_sends_no_more_than_the_window() {
    let outbox = outbox(3);
    (0..10).for_each(|n| drop(outbox.push(n.to_string())));
    let mut sink = futures::sink::drain();
    assert_eq!(outbox.flush(&mut sink).await.unwrap().sent, 3);
    assert_eq!(outbox.flush(&mut sink).await.unwrap().sent, 0, "the window is full");
    assert_eq!(outbox.ack(2).unwrap(), 2);
    assert_eq!(outbox.flush(&mut sink).await.unwrap().last_seq, Some(5));
    assert_eq!(outbox.stats().in_flight(), 3);
}

#[tokio::test]
async fn widening_the_window_lets_pending_messages_out() {
    let outbox = outbox(1);
    (0..4).for_each(|n| drop(outbox.push(n.to_string())));
    let mut sink = futures::sink::drain();
    assert_eq!(outbox.flush(&mut sink).await.unwrap().sent, 1);
    outbox.set_window(0); // clamped to 1
    assert_eq!(outbox.flush(&mut sink).await.unwrap().sent, 0);
    outbox.set_window(100);
    assert_eq!(outbox.flush(&mut sink).await.unwrap().sent, 3);
}

#[tokio::test(start_paused = true)]
async fn an_ack_that_opens_the_window_wakes_the_flusher() {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack);
    let config = config.with_flush_interval(std::time::Duration::from_secs(3600));
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config.with_batch_size(1));
    outbox.set_window(2);
    let (sink, mut sent) = futures::channel::mpsc::unbounded::<String>();
    let flusher = crate::Flusher::spawn(outbox.clone(), sink);
    (0..5).for_each(|n| drop(outbox.push(n.to_string())));
    settle().await;
    let first: Vec<String> = std::iter::from_fn(|| sent.try_recv().ok()).collect();
    assert_eq!(first, ["0", "1"], "the window holds two");
    outbox.ack(1).unwrap();
    settle().await;
    let next: Vec<String> = std::iter::from_fn(|| sent.try_recv().ok()).collect();
    assert_eq!(next, ["2"], "one acked, one more out, without waiting for the interval");
    drop(flusher.stop().await.unwrap());
}

/// Lets the flusher task run until it waits again.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn acked_through_is_the_highest_ack_and_never_goes_back() {
    let outbox = outbox(8);
    (0..5).for_each(|n| drop(outbox.push(n.to_string())));
    assert_eq!(outbox.acked_through(), 0);
    outbox.flush(&mut futures::sink::drain()).await.unwrap();
    outbox.ack(3).unwrap();
    outbox.ack(1).unwrap();
    assert_eq!(outbox.acked_through(), 3, "a stale ack changes nothing");
}

#[tokio::test]
async fn an_outbox_continues_a_numbering_from_elsewhere() {
    let outbox = outbox(8);
    assert!(outbox.continue_after(4_294_967_294), "a fresh outbox continues");
    assert_eq!(outbox.acked_through(), 4_294_967_294);
    assert_eq!(outbox.push("a".into()).unwrap(), 4_294_967_295);
    assert_eq!(outbox.push("b".into()).unwrap(), 4_294_967_296, "past 2^32");
    assert!(!outbox.continue_after(7), "only before the first message is numbered");
    let mut sink = futures::sink::drain();
    assert_eq!(outbox.flush(&mut sink).await.unwrap().last_seq, Some(4_294_967_296));
    assert!(outbox.ack(4_294_967_294).is_ok(), "the continued ack is known");
    assert_eq!(outbox.ack(4_294_967_296).unwrap(), 2);
}

/// Under a moved sequence origin (a simulated run) a fresh outbox numbers from it, and is
/// still fresh for a numbering continued from elsewhere (a session restored from a store):
/// it was not, and every restored session of a simulated restart refused its client's acks.
#[cfg(feature = "simulation")]
#[tokio::test]
async fn a_fresh_outbox_continues_a_numbering_under_a_moved_origin() {
    ws_core::sequence::set_origin((1 << 32) - 600);
    let outbox = outbox(8);
    assert!(outbox.continue_after((1 << 32) - 10), "a fresh outbox continues");
    assert_eq!(outbox.push("a".into()).unwrap(), (1 << 32) - 9);
    assert!(!outbox.continue_after((1 << 32) - 600), "only before the first message is numbered");
    assert_eq!(
        outbox.flush(&mut futures::sink::drain()).await.unwrap().last_seq,
        Some((1 << 32) - 9)
    );
    assert!(outbox.ack((1 << 32) - 9).is_ok(), "the client's ack of it is known");
}

fn held() -> Outbox<String> {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config.held_until_released());
    outbox
}

#[tokio::test]
async fn a_held_outbox_sends_only_what_was_released() {
    let outbox = held();
    (0..5).for_each(|n| drop(outbox.push(n.to_string())));
    let mut sink = futures::sink::drain();
    assert_eq!(outbox.flush(&mut sink).await.unwrap().sent, 0, "nothing released");
    assert_eq!(outbox.lock().next_deadline(), None, "held is no work: no busy flusher");
    outbox.release_through(2);
    assert_eq!(outbox.flush(&mut sink).await.unwrap().last_seq, Some(2));
    outbox.release_through(1); // never lowers
    outbox.release_through(5);
    assert_eq!(outbox.flush(&mut sink).await.unwrap().last_seq, Some(5));
}

#[tokio::test]
async fn a_release_wakes_the_flusher() {
    let outbox = held();
    let (sink, mut sent) = futures::channel::mpsc::unbounded::<String>();
    let flusher = crate::Flusher::spawn(outbox.clone(), sink);
    outbox.push("a".into()).unwrap();
    for _ in 0..16 {
        tokio::task::yield_now().await; // the flusher (same thread) runs its passes
    }
    assert!(outbox.wakeups() > 0, "the flusher looked");
    assert!(sent.try_recv().is_err(), "held: not sent");
    outbox.release_through(1);
    assert_eq!(futures::StreamExt::next(&mut sent).await.as_deref(), Some("a"));
    drop(flusher);
}

#[test]
fn a_write_ahead_owner_reads_what_it_holds_from_a_sequence_number() {
    let outbox = held();
    (1..=4).for_each(|n| drop(outbox.push(format!("m{n}"))));
    let mut seen = Vec::new();
    outbox.visit_from(3, |seq, message| seen.push((seq, message.clone())));
    assert_eq!(seen, [(3, "m3".to_string()), (4, "m4".to_string())]);
}
