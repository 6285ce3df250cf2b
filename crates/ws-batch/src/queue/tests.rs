//! Unit tests of the queue state machine: every transition, without I/O.

use super::{Batch, Due, Queue};
use crate::config::Limits;
use crate::encoder::{Encoder, PerMessage};
use crate::entry::{Entry, EntryState};
use crate::error::{OutboxError, SendFailure};
use crate::retry::Retry;
use std::time::Duration;
use tokio::time::Instant;
use ws_core::{Backoff, Jitter, JitterRng};

/// Every deadline counts.
const ALL: Due = Due { pending: true, ack: true };

pub(super) fn queue_of(count: usize) -> Queue<String> {
    let mut queue = Queue::new();
    for index in 0..count {
        queue.push(format!("m{index}"), 2);
    }
    queue
}

fn retry(rng: &mut JitterRng, max_attempts: u32, now: Instant) -> Retry<'_> {
    let backoff = Backoff::new(Duration::from_secs(1), 2.0, Duration::from_secs(8));
    let backoff = backoff.with_jitter(Jitter::None);
    Retry { backoff, max_attempts, rng, now, delayed: true }
}

/// Begins a batch at `now`, each message encoded as its sequence number.
fn begin_at(queue: &mut Queue<String>, now: Instant, limit: usize) -> Option<(Batch, Vec<u64>)> {
    let mut encoder = PerMessage::new(|seq, _: &String| seq);
    let batch = queue.begin(now, limit, u64::MAX, &mut encoder)?;
    Some((batch, encoder.finish()))
}

fn begin(queue: &mut Queue<String>, limit: usize) -> Batch {
    begin_at(queue, Instant::now(), limit).unwrap().0
}

fn states(queue: &Queue<String>) -> Vec<(u64, EntryState)> {
    queue.snapshot().iter().map(|entry| (entry.seq, entry.state)).collect()
}

#[test]
fn sequence_numbers_start_at_one_and_increase() {
    let queue = queue_of(3);
    let seqs: Vec<u64> = queue.snapshot().iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!((queue.stats().pending, queue.stats().bytes), (3, 6));
}

#[test]
fn begin_marks_a_batch_in_order_without_removing_it() {
    let mut queue = queue_of(5);
    let mut encoder = PerMessage::new(|seq, text: &String| format!("{seq}{text}"));
    let batch = queue.begin(Instant::now(), 3, u64::MAX, &mut encoder).unwrap();
    let items = encoder.finish();
    assert_eq!(batch, Batch { first: 1, last: 3, len: 3 });
    assert_eq!(items, vec!["1m0", "2m1", "3m2"]);
    assert_eq!(queue.stats().sending, 3);
    assert_eq!(queue.snapshot().len(), 5);
}

#[test]
fn an_empty_queue_begins_nothing() {
    let mut queue = queue_of(0);
    assert!(begin_at(&mut queue, Instant::now(), 8).is_none());
    assert_eq!(queue.next_deadline(ALL), None);
}

#[test]
fn a_failed_batch_goes_back_with_a_delay_and_blocks_newer_ones() {
    let mut queue = queue_of(3);
    let batch = begin(&mut queue, 2);
    let mut rng = JitterRng::seeded(1);
    let now = Instant::now();
    let settled = queue.settle_failed(batch, SendFailure::Cancelled, &mut retry(&mut rng, 5, now));
    assert!(settled.dead.is_empty());
    let retry_at = now + Duration::from_secs(1);
    assert_eq!(queue.next_deadline(ALL), Some(retry_at));
    assert!(begin_at(&mut queue, Instant::now(), 8).is_none(), "3 waits behind the retry");
    let later = begin_at(&mut queue, retry_at, 8).unwrap().1;
    assert_eq!(later, vec![1, 2, 3]);
}

#[test]
fn the_last_attempt_dead_letters_and_frees_the_bytes() {
    let mut queue = queue_of(2);
    let batch = begin(&mut queue, 1);
    let mut rng = JitterRng::seeded(1);
    let failure = SendFailure::Timeout(Duration::from_secs(5));
    let settled =
        queue.settle_failed(batch, failure.clone(), &mut retry(&mut rng, 1, Instant::now()));
    assert_eq!(settled.dead.len(), 1);
    assert_eq!((settled.dead[0].seq, settled.dead[0].attempts), (1, 1));
    assert_eq!(settled.dead[0].last_error, failure);
    assert_eq!(states(&queue), vec![(2, EntryState::Pending)]);
    assert_eq!(queue.stats().bytes, 2);
}

#[test]
fn settle_sent_with_flush_confirmation_removes_the_batch() {
    let mut queue = queue_of(3);
    let batch = begin(&mut queue, 2);
    assert_eq!(queue.settle_sent(batch, Instant::now(), true), 2);
    assert_eq!(states(&queue), vec![(3, EntryState::Pending)]);
}

#[test]
fn acks_are_cumulative_and_wait_for_a_batch_in_flight() {
    let mut queue = queue_of(4);
    let first = begin(&mut queue, 2);
    let deadline = Instant::now() + Duration::from_secs(30);
    assert_eq!(queue.settle_sent(first, deadline, false), 0);
    let second = begin(&mut queue, 2);
    assert_eq!(queue.ack(3).unwrap(), 2, "1 and 2 leave; 3 is still being sent");
    assert_eq!(queue.settle_sent(second, deadline, false), 1, "3 leaves when its batch settles");
    assert_eq!(states(&queue), vec![(4, EntryState::Sent)]);
    assert!(matches!(
        queue.ack(5),
        Err(OutboxError::AckOfUnsent { seq: 5, highest_sent: Some(4) })
    ));
}

#[test]
fn an_ack_past_a_dead_letter_gap_removes_only_what_it_confirms() {
    let mut queue = queue_of(4);
    let first = begin(&mut queue, 2);
    assert_eq!(queue.settle_sent(first, Instant::now() + Duration::from_secs(30), false), 0);
    let second = begin(&mut queue, 1);
    let mut rng = JitterRng::seeded(1);
    let failure = SendFailure::Cancelled;
    let settled = queue.settle_failed(second, failure, &mut retry(&mut rng, 1, Instant::now()));
    assert_eq!(settled.dead.len(), 1, "3 is a dead letter: the queue is 1, 2, 4");
    assert_eq!(queue.ack(3).unwrap(), 2, "1 and 2 leave; 4 was never sent");
    assert_eq!(states(&queue), vec![(4, EntryState::Pending)]);
}

#[test]
fn requeue_returns_sent_entries_due_at_once() {
    let mut queue = queue_of(2);
    let batch = begin(&mut queue, 2);
    queue.settle_sent(batch, Instant::now() + Duration::from_secs(30), false);
    assert!(!queue.ack_expired(Instant::now()));
    assert!(queue.ack_expired(Instant::now() + Duration::from_secs(30)));
    let mut rng = JitterRng::seeded(1);
    let now = Instant::now();
    let mut policy = retry(&mut rng, 5, now);
    policy.delayed = false;
    let (requeued, dead) = queue.requeue(&mut policy);
    assert_eq!((requeued, dead.len()), (2, 0));
    assert_eq!(queue.next_deadline(ALL), Some(now));
    assert!(queue.snapshot().iter().all(|entry| entry.attempts == 1));
}

#[test]
fn refusal_by_count_then_by_bytes() {
    let queue = queue_of(2);
    let limits = |capacity_messages, capacity_bytes| Limits {
        capacity_messages,
        capacity_bytes,
        batch_size: 64,
    };
    let full = queue.refusal(1, &limits(2, 100)).unwrap().into_error("x".to_string());
    assert!(matches!(full, OutboxError::FullMessages { capacity: 2, .. }));
    let heavy = queue.refusal(97, &limits(3, 100)).unwrap().into_error("y".to_string());
    assert!(matches!(heavy, OutboxError::FullBytes { size: 97, queued: 4, capacity: 100, .. }));
    assert_eq!(heavy.into_message().as_deref(), Some("y"));
    assert_eq!(queue.refusal(96, &limits(3, 100)), None);
}

#[test]
fn bookkeeping_per_queued_message_is_small() {
    use tokio_tungstenite::tungstenite::Message;
    let overhead = size_of::<Entry<Message>>() - size_of::<Message>();
    eprintln!("entry overhead: {overhead} bytes; message: {} bytes", size_of::<Message>());
    assert!(overhead <= 56, "{overhead} bytes of bookkeeping per message");
}

#[test]
fn an_outbox_of_websocket_messages_can_be_shared_across_tasks() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<crate::Outbox<tokio_tungstenite::tungstenite::Message>>();
    shareable::<crate::Outbox<String>>();
}

#[test]
#[cfg(target_pointer_width = "64")]
fn an_entry_costs_thirty_two_bytes_beside_its_message() {
    use tokio_tungstenite::tungstenite::Message;
    let overhead = size_of::<Entry<Message>>() - size_of::<Message>();
    assert_eq!((size_of::<Message>(), overhead), (56, 32), "the figure in the README");
}

#[test]
fn a_pending_entry_the_window_holds_back_is_no_deadline() {
    let mut queue = queue_of(2);
    let now = Instant::now();
    let batch = begin(&mut queue, 1);
    let ack_deadline = now + Duration::from_secs(30);
    queue.settle_sent(batch, ack_deadline, false);
    assert!(queue.next_deadline(ALL).is_some_and(|due| due < ack_deadline), "m1 is due");
    assert_eq!(
        queue.next_deadline(Due { pending: false, ack: true }),
        Some(ack_deadline),
        "a full window: only the resend"
    );
}

#[test]
fn an_overdue_peer_s_ack_deadline_is_no_deadline() {
    let mut queue = queue_of(1);
    let batch = begin(&mut queue, 1);
    let ack_deadline = Instant::now() + Duration::from_secs(30);
    queue.settle_sent(batch, ack_deadline, false);
    assert_eq!(queue.next_deadline(ALL), Some(ack_deadline));
    assert_eq!(queue.next_deadline(Due { pending: true, ack: false }), None, "reported once");
}

/// Sends every entry of `queue` in one batch (all `Sent`, awaiting their ack).
pub(super) fn send_all(queue: &mut Queue<String>) {
    let len = queue.stats().len();
    let batch = begin(queue, len);
    queue.settle_sent(batch, Instant::now() + Duration::from_secs(60), false);
}

/// Pushes `count` messages and sends them.
pub(super) fn push_and_send(queue: &mut Queue<String>, count: usize) {
    (0..count).for_each(|index| _ = queue.push(format!("n{index}"), 2));
    send_all(queue);
}
