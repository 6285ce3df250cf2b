//! The channel between a link's reader and the application: delivered messages travel in
//! batches (one channel operation and at most one wake-up per batch, not per message) and
//! come out one at a time, so the public streams still yield single messages. A semaphore
//! counts messages, so the buffer stays bounded in messages whatever the batch sizes.
//!
//! The batches travel in `futures`' unbounded channel, one node per batch, freed when the
//! batch is taken: tokio's unbounded channel allocates 32 slots (2 592 B here) at a time and
//! keeps up to three emptied blocks for reuse, so every channel that once had a backlog
//! (a client after a storm, each session's channel on a server) kept up to 7.8 KB for its
//! life (`docs/learnings.md` § 30).

use crate::protocol::SessionId;
use futures::channel::mpsc;
use futures::StreamExt;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tokio_tungstenite::tungstenite::Message;

/// One message handed to the application, with the session it came from.
pub type Delivered = (SessionId, Message);

/// Messages delivered in order: the first one's sequence number, each next one's one more.
#[derive(Debug, Default)]
pub(crate) struct Numbered {
    /// The first message's sequence number (0 when there is none).
    pub(crate) first: u64,
    /// The messages, in order.
    pub(crate) messages: Vec<Message>,
    /// Told of each message the application takes (a session kept in a store).
    pub(crate) write_ahead: Option<Arc<dyn super::WriteAhead>>,
}

impl Numbered {
    /// Adds the message numbered `seq` (the first sets where the numbering starts).
    pub(crate) fn push(&mut self, seq: u64, message: Message) {
        if self.messages.is_empty() {
            self.first = seq;
        }
        self.messages.push(message);
    }
}

/// Most messages a reader hands over in one batch.
pub(crate) const MAX_BATCH: usize = 256;

/// Messages of one session, in order, delivered together, with their room in the buffer
/// (given back when the application takes the batch).
#[derive(Debug)]
struct Batch {
    session: SessionId,
    numbered: Numbered,
    _room: OwnedSemaphorePermit,
}

/// The reader's end: sends whole batches, waiting while the application is behind.
#[derive(Debug, Clone)]
pub struct DeliverTx {
    sender: mpsc::UnboundedSender<Batch>,
    room: Arc<Semaphore>,
    /// At most [`MAX_BATCH`]; 32 bits, like `capacity`: every idle link holds this.
    batch_limit: u32,
    /// The buffer's size in messages (at most `u32::MAX`, what a semaphore acquires at
    /// once): the most room one batch can take.
    capacity: u32,
}

/// The application's end: yields the batches' messages one by one, in order.
#[derive(Debug)]
pub struct DeliverRx {
    receiver: mpsc::UnboundedReceiver<Batch>,
    room: Arc<Semaphore>,
    session: SessionId,
    /// The sequence number of the next message of `ready`.
    next: u64,
    ready: std::vec::IntoIter<Message>,
    /// Told of each message of `ready` taken.
    write_ahead: Option<Arc<dyn super::WriteAhead>>,
}

/// A channel holding at most `buffer` messages (at least 1) waiting for the application,
/// besides the batch it is reading. A reader aims at batches of `min(buffer, MAX_BATCH)`
/// messages; one that ends with a BATCH frame may hold that frame's entries more, and a
/// batch larger than the buffer takes all its room, so nothing else waits beside it.
pub fn channel(buffer: usize) -> (DeliverTx, DeliverRx) {
    let capacity = u32::try_from(buffer.max(1)).unwrap_or(u32::MAX);
    let batch_limit = u32::try_from(buffer.clamp(1, MAX_BATCH)).unwrap_or(u32::MAX);
    let (sender, receiver) = mpsc::unbounded();
    let room = Arc::new(Semaphore::new(buffer.max(1)));
    let session = SessionId::from_bytes([0; 16]);
    let tx = DeliverTx { sender, room: Arc::clone(&room), batch_limit, capacity };
    let ready = Vec::new().into_iter();
    (tx, DeliverRx { receiver, room, session, next: 0, ready, write_ahead: None })
}

impl DeliverTx {
    /// How many messages one batch may hold.
    pub(crate) fn batch_limit(&self) -> usize {
        self.batch_limit as usize
    }

    /// Hands `numbered` messages of `session` over; `false` when nobody reads any more.
    pub(crate) async fn send(&self, session: SessionId, numbered: Numbered) -> bool {
        let needed = self.needed(&numbered);
        let Ok(room) = Arc::clone(&self.room).acquire_many_owned(needed).await else {
            return false;
        };
        self.sender.unbounded_send(Batch { session, numbered, _room: room }).is_ok()
    }

    /// [`send`](Self::send) if there is room now, without waiting: `Err` hands the messages
    /// back when there is none (a waiting sender keeps its place: the semaphore gives the
    /// room that frees up to its waiters first).
    pub(crate) fn try_send(
        &self,
        session: SessionId,
        numbered: Numbered,
    ) -> Result<bool, Numbered> {
        match Arc::clone(&self.room).try_acquire_many_owned(self.needed(&numbered)) {
            Ok(room) => {
                Ok(self.sender.unbounded_send(Batch { session, numbered, _room: room }).is_ok())
            }
            Err(TryAcquireError::Closed) => Ok(false),
            Err(TryAcquireError::NoPermits) => Err(numbered),
        }
    }

    /// The room `numbered` takes: its messages, at most the whole buffer.
    fn needed(&self, numbered: &Numbered) -> u32 {
        u32::try_from(numbered.messages.len()).unwrap_or(u32::MAX).min(self.capacity)
    }
}

impl DeliverRx {
    /// The next delivered message, `None` once every sender is gone and all was read.
    #[inline]
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Delivered>> {
        let next = std::task::ready!(self.poll_message(cx));
        Poll::Ready(next.map(|message| (self.session, message)))
    }

    /// The next delivered message alone: what a stream of one session's messages yields,
    /// without carrying its session and number through every poll.
    #[inline]
    pub fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        if !std::task::ready!(self.poll_filled(cx)) {
            return Poll::Ready(None);
        }
        self.taken();
        Poll::Ready(self.ready.next())
    }

    /// The next delivered message with its sequence number in its session.
    #[inline]
    pub fn poll_numbered(&mut self, cx: &mut Context<'_>) -> Poll<Option<(u64, Message)>> {
        if !std::task::ready!(self.poll_filled(cx)) {
            return Poll::Ready(None);
        }
        let seq = self.taken();
        Poll::Ready(self.ready.next().map(|message| (seq, message)))
    }

    /// Waits until a message is ready; `false` once every sender is gone and all was read.
    fn poll_filled(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        while self.ready.len() == 0 {
            let Some(batch) = std::task::ready!(self.receiver.poll_next_unpin(cx)) else {
                return Poll::Ready(false);
            };
            self.take(batch);
        }
        Poll::Ready(true)
    }

    /// The sequence number of the next message of `ready`, which is about to be taken: the
    /// one after the last taken (the last of all, `u64::MAX`, has no next: the fuzz corpus
    /// delivers it).
    #[inline]
    fn taken(&mut self) -> u64 {
        let seq = self.next;
        self.next = seq.saturating_add(1);
        self.write_ahead.iter().for_each(|write_ahead| write_ahead.consumed(seq));
        seq
    }

    fn take(&mut self, batch: Batch) {
        self.session = batch.session;
        self.next = batch.numbered.first;
        self.write_ahead = batch.numbered.write_ahead;
        self.ready = batch.numbered.messages.into_iter();
    }
}

impl Drop for DeliverRx {
    /// Nobody reads any more: a reader waiting for room gives up instead of hanging.
    fn drop(&mut self) {
        self.room.close();
    }
}

#[cfg(test)]
mod tests;
