//! The writer task: the only owner of a connection's sink. Frames from the flusher, acks
//! and the final close go through one unbounded channel (bounded in practice by the outbox
//! capacity) in batches: a flusher's whole batch is one channel item, and the writer writes
//! everything queued with one flush.

use super::encode::{encode_batch, Outbound};
use super::refusal::{after_writes, Refusal};
use futures::channel::mpsc::{unbounded, TrySendError, UnboundedReceiver, UnboundedSender};
use futures::{Sink, SinkExt, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// The sending side of a writer, which never blocks. As a `Sink<Outbound>` (for the
/// flusher) it collects what is fed and hands it over as one batch, encoded, on `flush`;
/// each clone collects its own batch.
#[derive(Debug)]
pub struct Outgoing {
    sender: UnboundedSender<Vec<Message>>,
    fed: Vec<Outbound>,
}

/// Which end of a connection a writer serves: the `side` label of its failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A `ReliableServer` connection.
    Server,
    /// A `ReliableClient` connection.
    Client,
}

impl Side {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
        }
    }
}

/// The writer ended (its connection failed or closed): nothing more can be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the connection's writer is gone")]
pub struct WriterGone;

impl Clone for Outgoing {
    fn clone(&self) -> Self {
        Outgoing { sender: self.sender.clone(), fed: Vec::new() }
    }
}

impl Outgoing {
    /// An `Outgoing` without a writer, and the receiver of what is queued through it: the
    /// reader's fuzzing harness reads the acks there.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn detached() -> (Self, UnboundedReceiver<Vec<Message>>) {
        let (sender, receiver) = unbounded();
        (Outgoing { sender, fed: Vec::new() }, receiver)
    }

    /// Queues one message at once (an ack, a close), ahead of anything fed but not flushed.
    pub fn unbounded_send(&self, message: Message) -> Result<(), TrySendError<Vec<Message>>> {
        self.sender.unbounded_send(vec![message])
    }

    /// Whether the writer is gone or the channel was closed.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Closes the channel: the writer writes what is queued, then closes the sink.
    pub fn close_channel(&self) {
        self.sender.close_channel();
    }

    fn hand_over(&mut self) -> Result<(), WriterGone> {
        if self.fed.is_empty() {
            return Ok(());
        }
        let batch = encode_batch(std::mem::take(&mut self.fed));
        self.sender.unbounded_send(batch).map_err(|_| WriterGone)
    }
}

impl Sink<Outbound> for Outgoing {
    type Error = WriterGone;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), WriterGone>> {
        Poll::Ready(if self.is_closed() { Err(WriterGone) } else { Ok(()) })
    }

    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> Result<(), WriterGone> {
        self.fed.push(item);
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), WriterGone>> {
        Poll::Ready(self.hand_over())
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), WriterGone>> {
        Poll::Ready(self.hand_over())
    }
}

/// What a failed write breaks: the link's token ([`Stop::cancel`](super::Stop::cancel): its
/// reader then ends), and
/// which end of the connection wrote (for the metrics).
#[derive(Debug, Clone)]
pub struct Broken {
    /// Cancelled when a write fails.
    pub token: super::LinkToken,
    /// The end that writes.
    pub side: Side,
}

/// Spawns the writer over `sink`, `first` (a WELCOME) queued ahead of everything; it ends
/// when every sender is dropped or a write fails, and closes the sink on its way out.
/// A failed write closes the channel and cancels `broken`, which ends the link's reader:
/// the connection is lost (the session resumes on a new one) instead of half alive. A write refused because a
/// close already went out is no failure: the writer stops sending (see [`Refusal`]).
/// The task carries its caller's location (`#[track_caller]`), so that a runtime's task
/// hooks and tokio-console tell a server's writers from a client's.
#[track_caller]
pub fn spawn_writer<S>(
    sink: S,
    first: Option<Message>,
    broken: Broken,
) -> (Outgoing, JoinHandle<()>)
where
    S: Sink<Message> + Unpin + Send + 'static,
    S::Error: Refusal + Send,
{
    let (sender, receiver) = unbounded();
    let outgoing = Outgoing { sender, fed: Vec::new() };
    if let Some(message) = first {
        let _receiver_is_right_here = outgoing.unbounded_send(message);
    }
    (outgoing, tokio::spawn(write_all(receiver, sink, broken)))
}

/// The writer task's future: `async move` rather than an `async fn` (which keeps its
/// arguments twice in its state, rust-lang/rust#62958), and the refusal's error dropped
/// once read, so an idle writer's task holds little more than its channel and sink.
#[allow(clippy::manual_async_fn)]
fn write_all<S>(
    mut receiver: UnboundedReceiver<Vec<Message>>,
    mut sink: S,
    broken: Broken,
) -> impl Future<Output = ()>
where
    S: Sink<Message> + Unpin,
    S::Error: Refusal,
{
    async move {
        let refused = write_until_refused(&mut receiver, &mut sink).await.err();
        let closing = refused.map(|error| error.is_closing());
        if Box::pin(after_writes(closing, receiver, &broken)).await {
            let _closing_anyway = sink.close().await;
        }
    }
}

/// Writes every batch that comes until the last sender is gone, or a write is refused.
async fn write_until_refused<S>(
    receiver: &mut UnboundedReceiver<Vec<Message>>,
    sink: &mut S,
) -> Result<(), S::Error>
where
    S: Sink<Message> + Unpin,
{
    while let Some(first) = receiver.next().await {
        // boxed: the write's state lives only while it runs, not in every idle writer
        Box::pin(write_batch(receiver, sink, first)).await?;
    }
    Ok(())
}

/// Writes the batch `first` and every batch already queued, then flushes once.
async fn write_batch<S>(
    receiver: &mut UnboundedReceiver<Vec<Message>>,
    sink: &mut S,
    first: Vec<Message>,
) -> Result<(), S::Error>
where
    S: Sink<Message> + Unpin,
{
    let mut batch = Some(first);
    while let Some(messages) = batch {
        feed_all(sink, messages).await?;
        batch = receiver.try_recv().ok();
    }
    sink.flush().await
}

async fn feed_all<S: Sink<Message> + Unpin>(
    sink: &mut S,
    batch: Vec<Message>,
) -> Result<(), S::Error> {
    for message in batch {
        sink.feed(message).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
