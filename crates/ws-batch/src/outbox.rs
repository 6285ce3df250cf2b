//! The outbox handle: push, ack, requeue and flush, shared by producer, flusher and reader.

use crate::config::{Confirmation, OutboxConfig};
use crate::dead_letter::{DeadLetter, DeadLetterHandler};
use crate::encoder::{Encoder, PerMessage};
use crate::entry::{EntryInfo, MessageSize};
use crate::error::{OutboxError, SendFailure};
use crate::metrics::{self, Instruments};
use crate::pushed::Pushed;
use crate::queue::Batch;
use crate::state::State;
use crate::stats::OutboxStats;
use crate::transport::send_batch;
use futures::Sink;
use std::fmt::{self, Display};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;
use tracing::Instrument;

mod acks;
mod closing;
mod due;
mod in_flight;
mod renumber;
mod room;
mod window;

pub(crate) use due::DueTimer;
use in_flight::InFlight;

/// A transactional outbox: a message stays queued until its send is confirmed.
///
/// Cheap to clone: every clone is a handle on the same queue, so a producer can `push`, a
/// [`Flusher`](crate::Flusher) can flush and a reader can `ack` at the same time.
pub struct Outbox<M> {
    shared: Arc<Shared<M>>,
}

/// Who an outbox wakes, and when.
#[derive(Debug, Default)]
struct Notifiers {
    /// Wakes the flusher when a push finds no message pending, a batch is full, messages
    /// were requeued or an ack reopened the window.
    wake: Notify,
    /// How often the flusher woke (the idle-wake-up tests read it).
    #[cfg(test)]
    wakeups: std::sync::atomic::AtomicUsize,
    /// Wakes producers waiting for room when messages leave the queue (or it closes).
    room: Notify,
    /// Wakes the owner waiting in [`Outbox::ack_overdue`].
    overdue: Notify,
}

struct Shared<M> {
    state: Mutex<State<M>>,
    /// Serialises flushes and requeues, so a retried batch is never overtaken.
    flush_lock: tokio::sync::Mutex<()>,
    notify: Notifiers,
    /// Shared by every outbox built from the same `Arc` (a server's session outboxes).
    config: Arc<OutboxConfig>,
    dead_letters: DeadLetterHandler<M>,
    /// The same handles as the state's: shared by every outbox of `config`.
    instruments: Arc<Instruments>,
}

/// What one flush did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Messages flushed to the transport.
    pub sent: usize,
    /// Messages that left the outbox as confirmed.
    pub confirmed: usize,
    /// The highest sequence number sent, if the flush sent anything.
    pub last_seq: Option<u64>,
}

impl<M> Clone for Outbox<M> {
    fn clone(&self) -> Self {
        Outbox { shared: Arc::clone(&self.shared) }
    }
}

impl<M> fmt::Debug for Outbox<M> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Outbox").field("stats", &self.stats()).finish_non_exhaustive()
    }
}

impl<M> Drop for Shared<M> {
    fn drop(&mut self) {
        self.state.get_mut().unwrap_or_else(PoisonError::into_inner).unpublish();
    }
}

impl<M: MessageSize> Outbox<M> {
    /// Queues a message and returns its sequence number; a full outbox hands it back.
    pub fn push(&self, message: M) -> Result<u64, OutboxError<M>> {
        let pushed = self.lock().push(message, &self.shared.config);
        let (seq, pending) = pushed.inspect_err(count_rejection)?;
        Ok(self.accepted(seq, pending))
    }

    /// Counts one message queued as `seq`, `pending` now waiting, and wakes the flusher if
    /// it filled a batch.
    fn accepted(&self, seq: u64, pending: usize) -> u64 {
        self.shared.instruments.enqueued(1);
        self.wake_if_filled(pending, 1);
        seq
    }

    /// Queues messages in order under one lock, with one metrics update and at most one
    /// wake-up of the flusher for the lot: the batched [`push`](Self::push). Stops at the
    /// first message a full outbox refuses and hands it back in [`Pushed::refused`]; pass
    /// `iter.by_ref()` to keep the messages after it. The iterator runs under the outbox's
    /// lock: keep it cheap, and never call the outbox from it.
    pub fn push_many(&self, messages: impl IntoIterator<Item = M>) -> Pushed<M> {
        let (pushed, pending) = self.lock().push_many(messages, &self.shared.config);
        self.shared.instruments.enqueued(pushed.len());
        pushed.refused.iter().for_each(count_rejection);
        self.wake_if_filled(pending, pushed.len());
        pushed
    }

    /// Wakes the flusher when the last `pushed` messages found none pending (a lone
    /// message on an idle link goes out at once) or filled a batch. What is pushed while a
    /// flush is in progress waits for it, and goes out together after it.
    fn wake_if_filled(&self, pending: usize, pushed: usize) {
        let batch_size = self.shared.config.limits.batch_size;
        let into_empty = pushed > 0 && pending == pushed;
        if into_empty || (pending >= batch_size && pending - pushed < batch_size) {
            self.shared.notify.wake.notify_one();
        }
    }
}

impl<M> Outbox<M> {
    /// An empty outbox whose dead letters go to `dead_letters`. Many outboxes with the
    /// same settings (a server's sessions) share one `Arc<OutboxConfig>` rather than each
    /// keeping a copy.
    pub fn new(config: impl Into<Arc<OutboxConfig>>, dead_letters: DeadLetterHandler<M>) -> Self {
        let config = config.into();
        let instruments = config.owner.instruments.current(&config.owner.meter);
        let state = Mutex::new(State::new(&config, Arc::clone(&instruments)));
        let flush_lock = tokio::sync::Mutex::new(());
        let notify = Notifiers::default();
        let shared = Shared { state, flush_lock, notify, config, dead_letters, instruments };
        Outbox { shared: Arc::new(shared) }
    }

    /// An empty outbox and the channel its dead letters arrive on.
    pub fn with_dead_letter_channel(
        config: OutboxConfig,
    ) -> (Self, mpsc::UnboundedReceiver<DeadLetter<M>>) {
        let (handler, receiver) = DeadLetterHandler::channel();
        (Outbox::new(config, handler), receiver)
    }

    /// Confirms every message up to `seq` (a cumulative ack) and returns how many left now.
    /// Acking again is harmless; acking a sequence number never sent is an error.
    pub fn ack(&self, seq: u64) -> Result<usize, OutboxError<M>> {
        let (confirmed, reopened) = self.lock().ack(seq).inspect_err(|_| metrics::ack_error())?;
        self.confirmed(confirmed);
        if reopened {
            self.shared.notify.wake.notify_one();
        }
        Ok(confirmed)
    }

    /// After a reconnect: every sent-but-unacked message goes back to `Pending` with its
    /// sequence number, ahead of anything newer. Waits for a flush in progress to settle.
    /// Counts as a failed attempt; returns how many messages will be resent.
    pub async fn requeue_unacked(&self) -> usize {
        let _serial = self.shared.flush_lock.lock().await;
        self.requeue()
    }

    /// Flushes the next due batch of messages, as they are, into `sink`.
    pub async fn flush<S>(&self, sink: &mut S) -> Result<FlushReport, OutboxError<M>>
    where
        M: Clone,
        S: Sink<M> + Unpin,
        S::Error: Display,
    {
        self.flush_with(sink, |_seq, message| message.clone()).await
    }

    /// Flushes the next due batch into `sink`, each message encoded by `encode` from its
    /// sequence number and itself (to put the sequence number into the frame). `encode`
    /// runs under the outbox's lock: keep it cheap, and never call the outbox from it.
    pub async fn flush_with<S, I>(
        &self,
        sink: &mut S,
        encode: impl FnMut(u64, &M) -> I,
    ) -> Result<FlushReport, OutboxError<M>>
    where
        S: Sink<I> + Unpin,
        S::Error: Display,
    {
        self.flush_into(sink, &mut PerMessage::new(encode)).await
    }

    /// Flushes the next due batch into `sink`, encoded by `encoder` (see [`Encoder`]: its
    /// `encode` runs under the outbox's lock for each message, its `finish` after).
    pub async fn flush_into<S, E>(
        &self,
        sink: &mut S,
        encoder: &mut E,
    ) -> Result<FlushReport, OutboxError<M>>
    where
        E: Encoder<M>,
        S: Sink<E::Item> + Unpin,
        S::Error: Display,
    {
        let _serial = self.shared.flush_lock.lock().await;
        let now = Instant::now();
        self.expire_acks(now);
        let Some(batch) = self.lock().begin(now, &self.shared.config, encoder) else {
            return Ok(FlushReport::default());
        };
        let span = tracing::debug_span!("ws_batch.flush", first = batch.first, last = batch.last);
        self.send(batch, encoder.finish(), sink, now).instrument(span).await
    }

    /// The counts of live messages by state, and their bytes.
    pub fn stats(&self) -> OutboxStats {
        self.lock().queue.stats()
    }

    /// Every live message's sequence number, state, attempts and due time, in sequence order.
    pub fn snapshot(&self) -> Vec<EntryInfo> {
        self.lock().queue.snapshot()
    }

    /// The configuration.
    pub fn config(&self) -> &OutboxConfig {
        &self.shared.config
    }

    async fn send<S, I>(
        &self,
        batch: Batch,
        items: Vec<I>,
        sink: &mut S,
        started: Instant,
    ) -> Result<FlushReport, OutboxError<M>>
    where
        S: Sink<I> + Unpin,
        S::Error: Display,
    {
        let in_flight = InFlight { outbox: self, batch, armed: true };
        let sent = send_batch(sink, items, started, self.shared.config.timing.flush_timeout).await;
        let ended = Instant::now();
        in_flight.settle(sent, ended, ended.saturating_duration_since(started))
    }

    /// The batch was flushed, the flush ending at `ended` (the start of the ack wait).
    fn settle_sent(&self, batch: Batch, ended: Instant, elapsed: Duration) -> FlushReport {
        let confirmed = self.lock().settle_sent(batch, ended, &self.shared.config);
        let by_ack = self.shared.config.confirmation == Confirmation::Ack;
        self.shared.instruments.flushed(batch.len, if by_ack { confirmed } else { 0 }, elapsed);
        self.freed(confirmed);
        FlushReport { sent: batch.len, confirmed, last_seq: Some(batch.last) }
    }

    fn settle_failed(&self, batch: Batch, failure: SendFailure, elapsed: Duration) -> SendFailure {
        tracing::warn!(%failure, first = batch.first, last = batch.last, "flush failed");
        self.shared.instruments.flush_failed(&failure, elapsed);
        let settled = self.lock().settle_failed(batch, failure.clone(), &self.shared.config);
        let retried = batch.len - settled.dead.len() - settled.confirmed;
        metrics::retried(&failure, retried, settled.dead.len());
        self.confirmed(settled.confirmed);
        self.bury(settled.dead);
        failure
    }

    /// Hands dead letters over, outside the lock; counts those nobody took.
    fn bury(&self, dead: Vec<DeadLetter<M>>) {
        self.freed(dead.len());
        let delivered = dead.into_iter().map(|letter| self.shared.dead_letters.deliver(letter));
        delivered.filter(|handed_over| !handed_over).for_each(|_| metrics::undelivered());
    }

    fn lock(&self) -> MutexGuard<'_, State<M>> {
        self.shared.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn count_rejection<M>(error: &OutboxError<M>) {
    let limit = match error {
        OutboxError::FullBytes { .. } => "bytes",
        OutboxError::Closed { .. } => "closed",
        _ => "messages",
    };
    metrics::rejected(limit);
}
