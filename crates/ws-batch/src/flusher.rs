//! The background flusher: flushes as soon as messages are pending, honours the backoff.

use crate::encoder::{Encoder, PerMessage};
use crate::outbox::{DueTimer, Outbox};
use futures::Sink;
use std::fmt::Display;
use tokio::sync::oneshot;
use tokio::task::{JoinError, JoinHandle};

/// A task that owns a sink and flushes an [`Outbox`] into it until stopped.
///
/// It wakes when a push finds no message pending (a lone message on an idle link goes out
/// at once), when a batch fills, when requeued messages wait, when an ack reopens the
/// window, or when the next retry of the backoff schedule is due; what is pushed while a
/// flush is in progress goes out together right after it. An idle outbox never wakes it.
/// A failed flush is counted and retried by the outbox; the flusher goes on. Dropping the
/// `Flusher` stops it too.
#[derive(Debug)]
pub struct Flusher<S> {
    stop: oneshot::Sender<()>,
    task: JoinHandle<S>,
}

impl<S> Flusher<S>
where
    S: Send + 'static,
{
    /// Spawns a flusher that sends each message as it is (a tokio-tungstenite split sink
    /// of `Message` plugs in here).
    pub fn spawn<M>(outbox: Outbox<M>, sink: S) -> Self
    where
        M: Clone + Send + 'static,
        S: Sink<M> + Unpin,
        S::Error: Display,
    {
        Flusher::spawn_with(outbox, sink, |_seq, message: &M| message.clone())
    }

    /// Spawns a flusher that encodes each message with its sequence number.
    pub fn spawn_with<M, I, E>(outbox: Outbox<M>, sink: S, encode: E) -> Self
    where
        M: Send + 'static,
        I: Send + 'static,
        S: Sink<I> + Unpin,
        S::Error: Display,
        E: FnMut(u64, &M) -> I + Send + 'static,
    {
        Flusher::spawn_encoder(outbox, sink, PerMessage::new(encode))
    }

    /// Spawns a flusher that encodes each batch with `encoder` (see [`Encoder`]).
    pub fn spawn_encoder<M, E>(outbox: Outbox<M>, sink: S, encoder: E) -> Self
    where
        M: Send + 'static,
        E: Encoder<M> + Send + 'static,
        E::Item: Send,
        S: Sink<E::Item> + Unpin,
        S::Error: Display,
    {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(outbox, sink, encoder, stopped));
        Flusher { stop, task }
    }

    /// Stops after the flush in progress (bounded by the flush timeout) and hands the sink
    /// back, for closing it or flushing into it again. Queued messages stay in the outbox.
    pub async fn stop(self) -> Result<S, JoinError> {
        let _already_stopped = self.stop.send(());
        self.task.await
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

async fn run<M, S, E>(
    outbox: Outbox<M>,
    mut sink: S,
    mut encoder: E,
    stopped: oneshot::Receiver<()>,
) -> S
where
    E: Encoder<M>,
    S: Sink<E::Item> + Unpin,
    S::Error: Display,
{
    let mut waits = Waits { stopped, timer: None };
    while waits.due(&outbox).await {
        // boxed: the flush's state lives only while it runs, not in every idle task
        let _counted_and_retried = Box::pin(outbox.flush_into(&mut sink, &mut encoder)).await;
    }
    sink
}

/// What a flusher waits for between flushes: its stop, and the outbox's next due time on
/// a timer kept from wait to wait.
struct Waits {
    stopped: oneshot::Receiver<()>,
    timer: DueTimer,
}

impl Waits {
    /// Waits until `outbox` has work (true) or the flusher is stopped (false).
    async fn due<M>(&mut self, outbox: &Outbox<M>) -> bool {
        tokio::select! {
            biased;
            _ = &mut self.stopped => false,
            () = outbox.until_due_timed(&mut self.timer) => true,
        }
    }
}

#[cfg(test)]
mod tests;
