//! Unit tests of when a queue gives back the slots a backlog grew: at a drain once every
//! peak for [`SHRINK_AFTER`] was low, never between a load's swings; at once on a discard.

use super::{LowPeaks, MIN_SLOTS, SHRINK_AFTER};
use crate::clock::{Epoch, Ticks};
use crate::queue::tests::{push_and_send, queue_of, send_all};
use crate::queue::Queue;
use std::time::Duration;
use tokio::time::advance;

/// Acks everything sent so far.
fn ack_all(queue: &mut Queue<String>) {
    queue.ack(queue.next_seq() - 1).unwrap();
}

/// A queue grown by a backlog of 1 000, drained to 10.
fn drained_backlog() -> (Queue<String>, usize) {
    let mut queue = queue_of(1000);
    send_all(&mut queue);
    let grown = queue.entries.capacity();
    queue.ack(990).unwrap();
    (queue, grown)
}

#[tokio::test(start_paused = true)]
async fn a_drained_backlog_gives_its_slots_back_once_its_peaks_stayed_low_for_a_while() {
    let (mut queue, grown) = drained_backlog();
    assert_eq!(queue.entries.capacity(), grown, "the backlog just drained: kept");
    push_and_send(&mut queue, 5);
    ack_all(&mut queue);
    assert_eq!(queue.entries.capacity(), grown, "the first low peak: kept");
    advance(SHRINK_AFTER).await;
    push_and_send(&mut queue, 5);
    ack_all(&mut queue);
    assert!(queue.entries.capacity() <= MIN_SLOTS, "{}", queue.entries.capacity());
}

/// A load that swings (a window filling with late acks, then emptying) keeps its slots: the
/// old rule gave them back at the first low peak and grew them again at the next swing.
#[tokio::test(start_paused = true)]
async fn a_backlog_that_swings_back_within_the_time_keeps_its_slots() {
    let (mut queue, grown) = drained_backlog();
    for _ in 0..4 {
        push_and_send(&mut queue, 5);
        ack_all(&mut queue);
        advance(SHRINK_AFTER / 2).await;
        push_and_send(&mut queue, grown / 2);
        ack_all(&mut queue);
        advance(SHRINK_AFTER / 2).await;
    }
    assert_eq!(queue.entries.capacity(), grown);
}

#[tokio::test(start_paused = true)]
async fn a_peak_of_a_quarter_keeps_the_slots_and_lower_ones_halve_them_in_time() {
    let mut queue = queue_of(1000);
    send_all(&mut queue);
    let grown = queue.entries.capacity();
    let quarter = grown as u64 / 4;
    queue.ack(1000 - quarter).unwrap();
    queue.ack(1001 - quarter).unwrap();
    advance(SHRINK_AFTER).await;
    queue.ack(1002 - quarter).unwrap();
    assert_eq!(queue.entries.capacity(), grown, "peaks of a quarter, then one low: kept");
    let peak = queue.stats().len() + 1;
    advance(SHRINK_AFTER).await;
    queue.ack(1003 - quarter).unwrap();
    let slots = queue.entries.capacity();
    assert!(slots <= 2 * peak && slots >= peak, "{slots} slots after a peak of {peak}");
}

#[test]
fn a_backlog_that_comes_back_at_every_ack_keeps_its_slots() {
    let mut queue = queue_of(0);
    push_and_send(&mut queue, 1000);
    let grown = queue.entries.capacity();
    for _ in 0..3 {
        ack_all(&mut queue);
        assert_eq!(queue.entries.capacity(), grown);
        push_and_send(&mut queue, 1000);
    }
}

#[tokio::test(start_paused = true)]
async fn a_short_queue_keeps_its_slots() {
    let mut queue = queue_of(MIN_SLOTS);
    let slots = queue.entries.capacity();
    send_all(&mut queue);
    ack_all(&mut queue);
    advance(SHRINK_AFTER * 2).await;
    push_and_send(&mut queue, 1);
    ack_all(&mut queue);
    assert_eq!(queue.entries.capacity(), slots);
}

#[test]
fn a_discarded_backlog_gives_its_slots_back_at_once() {
    let mut queue = queue_of(1000);
    assert_eq!(queue.discard(), 1000);
    assert!(queue.entries.capacity() <= MIN_SLOTS);
}

#[test]
fn a_run_of_low_peaks_lasts_from_its_first_drain_and_keeps_its_highest() {
    let mut run = LowPeaks::default();
    let epoch = Epoch::now();
    let start = epoch.instant(Ticks::default());
    let at = |millis| epoch.ticks(start + Duration::from_millis(millis));
    assert_eq!(run.add(7, at(100)), Duration::ZERO);
    assert_eq!(run.add(30, at(400)), Duration::from_millis(300));
    assert_eq!(run.add(2, at(1100)), Duration::from_secs(1));
    assert_eq!(run.highest, 30);
}
