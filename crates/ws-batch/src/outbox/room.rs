//! Waiting for room: [`Outbox::push_wait`] queues a message once the outbox has room for it,
//! instead of handing it back, so a producer never has to poll a full outbox.

use super::{count_rejection, Outbox};
use crate::entry::MessageSize;
use crate::error::OutboxError;
use std::ops::ControlFlow;

/// A push attempt: done (queued, or refused for good), or to retry with the message once
/// room is freed.
type Attempt<M> = ControlFlow<Result<u64, OutboxError<M>>, M>;

impl<M: MessageSize> Outbox<M> {
    /// Queues a message, waiting while the outbox is full until acks (or flushes, under
    /// flush confirmation) or dead letters free room; returns its sequence number. Refused
    /// at once, as [`push`](Self::push) would, only when waiting cannot help: the outbox is
    /// empty and the message still does not fit (larger than the byte capacity).
    ///
    /// Waits as long as nothing leaves the queue (a peer that never acks): bound it with a
    /// timeout where that matters. Cancel-safe: dropping the future queues nothing.
    pub async fn push_wait(&self, mut message: M) -> Result<u64, OutboxError<M>> {
        loop {
            let freed = self.shared.notify.room.notified(); // before the attempt: no lost wake-up
            match self.push_if_room(message) {
                ControlFlow::Break(done) => return done,
                ControlFlow::Continue(refused) => message = refused,
            }
            freed.await;
        }
    }

    /// One try of [`push_wait`](Self::push_wait), without waiting: `Break` with the outcome
    /// (queued, or refused for good and counted as [`push`](Self::push) counts it), or
    /// `Continue` with the message handed back, uncounted, when the outbox is full and
    /// waiting for room would help. Lets a caller keep the message only when it must wait.
    pub fn push_if_room(&self, message: M) -> ControlFlow<Result<u64, OutboxError<M>>, M> {
        let mut state = self.lock();
        let refused = match state.push(message, &self.shared.config) {
            Ok((seq, pending)) => return ControlFlow::Break(Ok(self.accepted(seq, pending))),
            Err(refused) => refused,
        };
        let empty = state.queue.stats().is_empty();
        drop(state);
        retry_or_refuse(refused, empty)
    }
}

/// A refusal is waited out unless the outbox is empty: then room will never grow, and the
/// refusal stands (and is counted, as `push` counts it).
fn retry_or_refuse<M>(refused: OutboxError<M>, empty: bool) -> Attempt<M> {
    match refused {
        OutboxError::FullMessages { message, .. } | OutboxError::FullBytes { message, .. }
            if !empty =>
        {
            ControlFlow::Continue(message)
        }
        refused => ControlFlow::Break(Err(counted(refused))),
    }
}

fn counted<M>(refused: OutboxError<M>) -> OutboxError<M> {
    count_rejection(&refused);
    refused
}

impl<M> Outbox<M> {
    /// `count` messages left the queue: producers waiting for room try again.
    pub(super) fn freed(&self, count: usize) {
        if count > 0 {
            self.shared.notify.room.notify_waiters();
        }
    }

    /// `count` messages were confirmed and left the queue.
    pub(super) fn confirmed(&self, count: usize) {
        self.shared.instruments.acked(count);
        self.freed(count);
    }
}

#[cfg(test)]
mod tests;
