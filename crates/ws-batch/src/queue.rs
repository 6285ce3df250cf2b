//! The outbox's queue: entries in sequence order and every state transition, with no I/O.

use self::batch::{batch_entries, mark_sending, mark_sent};
use crate::clock::Epoch;
use crate::config::Limits;
use crate::dead_letter::DeadLetter;
use crate::encoder::Encoder;
use crate::entry::{Entry, EntryInfo, EntryState};
use crate::error::{OutboxError, Refusal, SendFailure};
use crate::retry::Retry;
use crate::stats::OutboxStats;
use std::collections::VecDeque;
use tokio::time::Instant;

/// The sequence numbers of one batch: every `Sending` entry in `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) first: u64,
    pub(crate) last: u64,
    pub(crate) len: usize,
}

/// Which deadlines count as work for the flusher.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Due {
    /// The first pending entry's (the window has room).
    pub(crate) pending: bool,
    /// The oldest sent entry's ack deadline (the peer is not already reported overdue).
    pub(crate) ack: bool,
}

/// Live entries, strictly increasing by sequence number.
#[derive(Debug)]
pub(crate) struct Queue<M> {
    entries: VecDeque<Entry<M>>,
    next_seq: u64,
    stats: OutboxStats,
    highest_sent: u64,
    acked_through: u64,
    /// What entry times count from.
    epoch: Epoch,
    /// The drains since the peaks went low: when to give slots back (`shrink.rs`).
    shrink: shrink::LowPeaks,
}

impl<M> Queue<M> {
    /// An empty queue whose first sequence number is 1 (0 means "nothing"); after
    /// [`ws_core::sequence::origin`] in a simulated run that moved it.
    pub(crate) fn new() -> Self {
        let entries = VecDeque::new();
        let stats = OutboxStats::default();
        let epoch = Epoch::now();
        let none = ws_core::sequence::origin();
        let next_seq = none + 1;
        let shrink = shrink::LowPeaks::default();
        Queue { entries, next_seq, stats, highest_sent: none, acked_through: none, epoch, shrink }
    }

    /// The highest sequence number acked (or confirmed on flush) so far.
    pub(crate) fn acked_through(&self) -> u64 {
        self.acked_through
    }

    /// Appends a message admitted by the caller, due at once; returns its sequence number.
    pub(crate) fn push(&mut self, message: M, size: usize) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.stats.bytes += size;
        self.stats.pending += 1;
        self.entries.push_back(Entry::new(seq, message, size));
        seq
    }

    /// The sequence number the next push gets.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Why a message of `size` bytes would exceed a capacity (messages, bytes), if it would.
    pub(crate) fn refusal(&self, size: usize, limits: &Limits) -> Option<Refusal> {
        if self.entries.len() >= limits.capacity_messages {
            return Some(Refusal::Messages { capacity: limits.capacity_messages });
        }
        let queued = self.stats.bytes;
        let over = queued.saturating_add(size) > limits.capacity_bytes;
        over.then_some(Refusal::Bytes { size, queued, capacity: limits.capacity_bytes })
    }

    /// Marks the first due `Pending` entries `Sending` (at most `limit`, stopping at the first
    /// one not yet due so nothing overtakes a retry) and encodes them.
    pub(crate) fn begin(
        &mut self,
        now: Instant,
        limit: usize,
        released: u64,
        encoder: &mut impl Encoder<M>,
    ) -> Option<Batch> {
        let start = self.first_pending();
        let now = self.epoch.ticks(now);
        encoder.reserve(limit.min(self.stats.pending));
        let due = self.entries.range_mut(start..).take(limit);
        let due = due.take_while(|entry| entry.at <= now && entry.seq <= released);
        let count = due.map(|entry| mark_sending(entry, encoder)).count();
        self.start_batch(start, count)
    }

    /// The batch of the `len` entries just marked `Sending` from index `start`, if any.
    fn start_batch(&mut self, start: usize, len: usize) -> Option<Batch> {
        let first = self.entries.get(start).filter(|_| len > 0)?.seq;
        let batch = Batch { first, last: self.entries.get(start + len - 1)?.seq, len };
        self.stats.shift(EntryState::Pending, EntryState::Sending, batch.len);
        self.highest_sent = self.highest_sent.max(batch.last);
        Some(batch)
    }

    /// Entries are kept in state order, `Sent`, then `Sending`, then `Pending` (each state
    /// change keeps it; the property test checks it), so the first pending one is found by counting.
    fn first_pending(&self) -> usize {
        self.stats.awaiting_ack + self.stats.sending
    }

    /// The batch reached the peer's transport: `Sent` until `ack_deadline` (its entries are
    /// found as a failed batch's are, [`batch_entries`]); with
    /// `confirm_now` (flush confirmation) it counts as acked at once. Returns how many left.
    pub(crate) fn settle_sent(
        &mut self,
        batch: Batch,
        ack_deadline: Instant,
        confirm_now: bool,
    ) -> usize {
        let ack_deadline = self.epoch.ticks(ack_deadline);
        batch_entries(&mut self.entries, batch).for_each(|entry| entry.mark_sent(ack_deadline));
        self.stats.shift(EntryState::Sending, EntryState::Sent, batch.len);
        if confirm_now {
            self.acked_through = self.acked_through.max(batch.last);
        }
        self.drain_acked()
    }

    /// The batch failed: each entry goes back to `Pending` with a backoff delay, or out of
    /// attempts to the dead letters; an entry the peer acked meanwhile is confirmed.
    pub(crate) fn settle_failed(
        &mut self,
        batch: Batch,
        failure: SendFailure,
        retry: &mut Retry<'_>,
    ) -> Settled<M> {
        let acked_through = self.acked_through;
        let stats = &mut self.stats;
        let epoch = self.epoch;
        let unacked = batch_entries(&mut self.entries, batch).filter(|e| e.seq > acked_through);
        unacked.for_each(|entry| retry.fail(entry, stats, epoch));
        batch_entries(&mut self.entries, batch).for_each(|entry| mark_sent(entry, stats));
        Settled { dead: self.take_failed(&failure), confirmed: self.drain_acked() }
    }

    /// Every `Sent` entry goes back to `Pending`, due at once, keeping its sequence number;
    /// counts as a failed attempt. Returns how many were requeued, and the dead letters.
    pub(crate) fn requeue(&mut self, retry: &mut Retry<'_>) -> (usize, Vec<DeadLetter<M>>) {
        let stats = &mut self.stats;
        let epoch = self.epoch;
        let sent = self.entries.iter_mut().filter(|entry| entry.state == EntryState::Sent);
        let requeued = stats.awaiting_ack;
        sent.for_each(|entry| retry.fail(entry, stats, epoch));
        (requeued, self.take_failed(&SendFailure::Unacked))
    }

    /// Takes out the entries `refuse` picks, as dead letters ([`SendFailure::Refused`]), and
    /// numbers the rest consecutively after the last acked one. Call it right after a
    /// requeue, with no batch being sent: every live entry is then `Pending`, and the peer
    /// delivered none of them, so no number it delivered changes. Nothing to take: no change.
    pub(crate) fn renumber_without(&mut self, refuse: impl Fn(&M) -> bool) -> Vec<DeadLetter<M>> {
        if !self.entries.iter().any(|entry| refuse(&entry.message)) {
            return Vec::new();
        }
        let entries = std::mem::take(&mut self.entries).into_iter();
        let (refused, kept): (VecDeque<_>, _) = entries.partition(|e| refuse(&e.message));
        self.entries = kept;
        self.renumber();
        refused.into_iter().map(|entry| self.refused(entry)).collect()
    }

    /// Numbers the live entries from the last acked one + 1; nothing counts as sent after it.
    fn renumber(&mut self) {
        let first = self.acked_through + 1;
        self.entries.iter_mut().zip(first..).for_each(|(entry, seq)| entry.seq = seq);
        self.next_seq = first + self.entries.len() as u64;
        self.highest_sent = self.acked_through;
    }

    /// A `Pending` entry taken out as refused.
    fn refused(&mut self, entry: Entry<M>) -> DeadLetter<M> {
        self.stats.remove(EntryState::Pending, entry.size);
        let last_error = SendFailure::Refused;
        DeadLetter { seq: entry.seq, message: entry.message, attempts: entry.attempts, last_error }
    }

    /// A cumulative ack: everything up to `seq` is confirmed. Returns how many left now
    /// (entries still in the batch being sent leave when it settles).
    pub(crate) fn ack(&mut self, seq: u64) -> Result<usize, OutboxError<M>> {
        if seq > self.highest_sent {
            let highest_sent = (self.highest_sent > 0).then_some(self.highest_sent);
            return Err(OutboxError::AckOfUnsent { seq, highest_sent });
        }
        self.acked_through = self.acked_through.max(seq);
        Ok(self.drain_acked())
    }

    /// Whether the oldest unacked entry waited past its ack deadline.
    pub(crate) fn ack_expired(&self, now: Instant) -> bool {
        let oldest = self.entries.front().filter(|entry| entry.state == EntryState::Sent);
        oldest.is_some_and(|entry| entry.at <= self.epoch.ticks(now))
    }

    /// The next time something becomes due, of what `due` counts: the first pending entry
    /// (not while the window is closed: a pending entry it holds back is not work, and
    /// counting it made the flusher spin on a full window), the oldest ack deadline (not
    /// once reported overdue: the same).
    pub(crate) fn next_deadline(&self, due: Due) -> Option<Instant> {
        let oldest_sent = self.entries.front().filter(|entry| entry.state == EntryState::Sent);
        let oldest_sent = oldest_sent.filter(|_| due.ack);
        let pending = self.entries.get(self.first_pending()).filter(|_| due.pending);
        let times = [pending, oldest_sent];
        let earliest = times.into_iter().flatten().map(|entry| entry.at).min();
        earliest.map(|ticks| self.epoch.instant(ticks))
    }

    pub(crate) fn stats(&self) -> OutboxStats {
        self.stats
    }

    pub(crate) fn snapshot(&self) -> Vec<EntryInfo> {
        self.entries.iter().map(|entry| entry.info(self.epoch)).collect()
    }

    /// Removes confirmed entries from the front; those in the batch being sent wait for it.
    /// By the state order, they are the `Sent` ones (then the `Pending` ones, if no batch is
    /// being sent) up to `acked_through` ([`acked_prefix`](Self::acked_prefix)), counted out
    /// of the stats per state, and dropped in one pass that sums their bytes; the slots of a
    /// backlog gone for a while are given back (`queue/shrink.rs`).
    fn drain_acked(&mut self) -> usize {
        let reach =
            if self.stats.sending > 0 { self.stats.awaiting_ack } else { self.entries.len() };
        let count = self.acked_prefix().min(reach);
        let sent = count.min(self.stats.awaiting_ack);
        let bytes = self.entries.drain(..count).map(|entry| entry.size).sum();
        self.stats.forget(sent, count - sent, bytes);
        // The peak since the previous drain: the length before this one.
        self.shrink_after_drain(self.entries.len() + count);
        count
    }

    /// How many entries from the front are numbered up to `acked_through`: by arithmetic
    /// while the numbers have no gap (always, unless dead letters left the middle of the
    /// queue), else by a binary search (which reads a cold entry per step).
    fn acked_prefix(&self) -> usize {
        let len = self.entries.len();
        match (self.entries.front(), self.entries.back()) {
            (Some(front), Some(back)) if back.seq - front.seq == len as u64 - 1 => {
                let count = self.acked_through.saturating_add(1).saturating_sub(front.seq);
                usize::try_from(count).map_or(len, |count| count.min(len))
            }
            _ => self.entries.partition_point(|entry| entry.seq <= self.acked_through),
        }
    }

    /// Takes every `Failed` entry out of the live queue, as dead letters whose last error is
    /// `failure`: entries turn `Failed` only in the call that buries them, by that failure.
    fn take_failed(&mut self, failure: &SendFailure) -> Vec<DeadLetter<M>> {
        if self.stats.failed == 0 {
            return Vec::new();
        }
        let (failed, live) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|entry| entry.state == EntryState::Failed);
        self.entries = live;
        failed.into_iter().map(|entry| self.bury(entry, failure.clone())).collect()
    }

    fn bury(&mut self, entry: Entry<M>, last_error: SendFailure) -> DeadLetter<M> {
        self.stats.remove(EntryState::Failed, entry.size);
        DeadLetter { seq: entry.seq, message: entry.message, attempts: entry.attempts, last_error }
    }
}

/// What settling a failed batch left behind.
#[derive(Debug)]
pub(crate) struct Settled<M> {
    /// Entries out of attempts, out of the live queue.
    pub(crate) dead: Vec<DeadLetter<M>>,
    /// Entries the peer had acked meanwhile, now confirmed.
    pub(crate) confirmed: usize,
}

mod batch;
mod discard;
mod numbering;
mod shrink;
#[cfg(test)]
mod tests;
