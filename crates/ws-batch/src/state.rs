//! The state behind an outbox's lock: its queue, its jitter source, its reported gauges.

use crate::config::{Confirmation, Limits, OutboxConfig};
use crate::dead_letter::DeadLetter;
use crate::entry::MessageSize;
use crate::error::{OutboxError, Refusal, SendFailure};
use crate::metrics::Instruments;
use crate::pushed::Pushed;
use crate::queue::{Batch, Due, Queue, Settled};
use crate::retry::Retry;
use crate::stats::OutboxStats;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use ws_core::JitterRng;

/// How far away "never" is for an ack deadline when acks never time out.
const NEVER: Duration = Duration::from_secs(86_400 * 365 * 30);

/// Everything one outbox guards with its lock.
#[derive(Debug)]
pub(crate) struct State<M> {
    pub(crate) queue: Queue<M>,
    rng: JitterRng,
    /// The stats last added to the process-wide gauges.
    reported: OutboxStats,
    /// Shared with the outbox and every other outbox of its config.
    instruments: Arc<Instruments>,
    peer: Peer,
    /// The highest sequence number a flush may send (`u64::MAX` unless held).
    released: u64,
}

/// What the outbox knows of its peer and owner, beyond the queue: how much it lets out,
/// whether it still takes messages, whether the peer is late with its acks.
#[derive(Debug)]
struct Peer {
    /// The most messages in flight (being sent or awaiting their ack) a flush allows;
    /// `u32::MAX` for none (more than any outbox holds): 32 bits keep `Peer` at 8 bytes and
    /// every outbox's shared state a malloc step smaller (`docs/learnings.md` § 36).
    window: u32,
    /// Set by [`Outbox::close`](crate::Outbox::close): every push is refused from then on.
    closed: bool,
    /// The peer is overdue with its acks (reported, under `OnAckTimeout::Report`), until an
    /// ack confirms something or a requeue.
    overdue: bool,
}

impl Default for Peer {
    fn default() -> Self {
        Peer { window: u32::MAX, closed: false, overdue: false }
    }
}

impl<M> State<M> {
    pub(crate) fn new(config: &OutboxConfig, instruments: Arc<Instruments>) -> Self {
        let rng = config.jitter_rng();
        let reported = OutboxStats::default();
        let released = if config.owner.held { 0 } else { u64::MAX };
        let peer = Peer::default();
        State { queue: Queue::new(), rng, reported, instruments, peer, released }
    }

    /// Lets messages through `seq` out; returns whether that released any more.
    pub(crate) fn release(&mut self, seq: u64) -> bool {
        let raised = seq > self.released;
        self.released = self.released.max(seq);
        raised
    }

    /// Whether the next pending message may go out now: room in the window, released.
    fn may_send(&self) -> bool {
        let released = self.queue.first_pending_seq().is_some_and(|seq| seq <= self.released);
        self.window_room() > 0 && released
    }

    /// How many more messages the window lets out now.
    fn window_room(&self) -> usize {
        let window = usize::try_from(self.peer.window).unwrap_or(usize::MAX);
        window.saturating_sub(self.queue.stats().in_flight())
    }

    /// The next time the flusher has work: a pending entry the window lets out, or an ack
    /// deadline. An ack that reopens the window wakes the flusher itself.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let due = Due { pending: self.may_send(), ack: !self.peer.overdue };
        self.queue.next_deadline(due)
    }

    /// Marks the peer overdue; whether it was not already.
    pub(crate) fn mark_overdue(&mut self) -> bool {
        !std::mem::replace(&mut self.peer.overdue, true)
    }

    /// Whether the peer is overdue with its acks.
    pub(crate) fn is_overdue(&self) -> bool {
        self.peer.overdue
    }

    /// Sets the window (at least 1); whether pending messages may now go out.
    pub(crate) fn set_window(&mut self, window: usize) -> bool {
        self.peer.window = u32::try_from(window.max(1)).unwrap_or(u32::MAX);
        self.queue.stats().pending > 0 && self.window_room() > 0
    }

    /// Admits and appends one message; returns its sequence number and the pending count.
    pub(crate) fn push(
        &mut self,
        message: M,
        config: &OutboxConfig,
    ) -> Result<(u64, usize), OutboxError<M>>
    where
        M: MessageSize,
    {
        let seq = self.push_one(message, &config.limits)?;
        self.publish();
        Ok((seq, self.reported.pending))
    }

    /// Admits and appends messages in order until one is refused; returns what was queued
    /// and the pending count after.
    pub(crate) fn push_many(
        &mut self,
        messages: impl IntoIterator<Item = M>,
        config: &OutboxConfig,
    ) -> (Pushed<M>, usize)
    where
        M: MessageSize,
    {
        let start = self.queue.next_seq();
        let limits = &config.limits;
        let refused = messages.into_iter().find_map(|message| self.push_one(message, limits).err());
        self.publish();
        (Pushed { seqs: start..self.queue.next_seq(), refused }, self.reported.pending)
    }

    /// Inlined into both pushes: a call returning the (large) refusal through memory costs
    /// about as much as the admission itself.
    #[inline]
    fn push_one(&mut self, message: M, limits: &Limits) -> Result<u64, OutboxError<M>>
    where
        M: MessageSize,
    {
        let size = message.message_size();
        if let Some(refusal) = self.refusal(size, limits) {
            return Err(refusal.into_error(message));
        }
        Ok(self.queue.push(message, size))
    }

    /// Why a message of `size` bytes cannot be queued now: the outbox is closed, or full.
    #[inline]
    fn refusal(&self, size: usize, limits: &Limits) -> Option<Refusal> {
        if self.peer.closed {
            return Some(Refusal::Closed);
        }
        self.queue.refusal(size, limits)
    }

    /// Drops every message but those of the batch being sent; how many.
    pub(crate) fn discard(&mut self) -> usize {
        let dropped = self.queue.discard();
        self.publish();
        dropped
    }

    /// Refuses every push from now on.
    pub(crate) fn close(&mut self) {
        self.peer.closed = true;
    }

    /// Whether [`close`](Self::close) was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.peer.closed
    }

    /// Applies a cumulative ack: how many messages left, and whether it reopened a full
    /// window on pending messages (the flusher has work again).
    pub(crate) fn ack(&mut self, seq: u64) -> Result<(usize, bool), OutboxError<M>> {
        let blocked = self.window_room() == 0;
        let confirmed = self.queue.ack(seq)?;
        self.peer.overdue &= confirmed == 0;
        self.publish();
        Ok((confirmed, blocked && confirmed > 0 && self.queue.stats().pending > 0))
    }

    /// Marks the next batch due at `now` `Sending` and encodes it.
    pub(crate) fn begin(
        &mut self,
        now: Instant,
        config: &OutboxConfig,
        encoder: &mut impl crate::Encoder<M>,
    ) -> Option<Batch> {
        let limit = config.limits.batch_size.min(self.window_room());
        let begun = self.queue.begin(now, limit, self.released, encoder);
        self.publish();
        begun
    }

    /// The batch was flushed by `now`; returns how many messages left the outbox.
    pub(crate) fn settle_sent(
        &mut self,
        batch: Batch,
        now: Instant,
        config: &OutboxConfig,
    ) -> usize {
        let deadline = now + config.timing.ack_timeout.unwrap_or(NEVER);
        let confirm_now = config.confirmation == Confirmation::Flush;
        let confirmed = self.queue.settle_sent(batch, deadline, confirm_now);
        self.publish();
        confirmed
    }

    pub(crate) fn settle_failed(
        &mut self,
        batch: Batch,
        failure: SendFailure,
        config: &OutboxConfig,
    ) -> Settled<M> {
        let mut retry = retry(&mut self.rng, config, true);
        let settled = self.queue.settle_failed(batch, failure, &mut retry);
        self.publish();
        settled
    }

    /// Returns every unacked message to `Pending`: how many, and the dead letters.
    pub(crate) fn requeue(&mut self, config: &OutboxConfig) -> (usize, Vec<DeadLetter<M>>) {
        let mut retry = retry(&mut self.rng, config, false);
        let requeued = self.queue.requeue(&mut retry);
        self.peer.overdue = false;
        self.publish();
        requeued
    }

    /// Moves the process-wide gauges to this outbox's current counts.
    pub(crate) fn publish(&mut self) {
        let now = self.queue.stats();
        self.instruments.report(self.reported, now);
        self.reported = now;
    }

    /// Takes this outbox's counts out of the process-wide gauges.
    pub(crate) fn unpublish(&mut self) {
        self.instruments.report(self.reported, OutboxStats::default());
        self.reported = OutboxStats::default();
    }
}

fn retry<'a>(rng: &'a mut JitterRng, config: &OutboxConfig, delayed: bool) -> Retry<'a> {
    let backoff = config.backoff;
    let max_attempts = config.max_attempts;
    Retry { backoff, max_attempts, rng, now: Instant::now(), delayed }
}
