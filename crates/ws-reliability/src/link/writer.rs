//! The writer task: the only owner of a connection's sink. Frames from the flusher, acks
//! and the final close go through one unbounded channel (bounded in practice by the outbox
//! capacity) and are written in batches with one flush each.

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::{Sink, SinkExt, StreamExt};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// The sending side of a writer: a `Sink<Message>` (for the flusher) that never blocks.
pub(crate) type Outgoing = UnboundedSender<Message>;

/// Spawns the writer over `sink`, `first` (a WELCOME) queued ahead of everything; it ends
/// when every sender is dropped or a write fails, and closes the sink on its way out.
/// A failed write cancels `broken`, which ends the link's reader: the connection is lost
/// (the session resumes on a new one) instead of half alive.
pub(crate) fn spawn_writer<S>(
    sink: S,
    first: Option<Message>,
    broken: CancellationToken,
) -> (Outgoing, JoinHandle<()>)
where
    S: Sink<Message> + Unpin + Send + 'static,
{
    let (sender, receiver) = unbounded();
    if let Some(message) = first {
        let _receiver_is_right_here = sender.unbounded_send(message);
    }
    (sender, tokio::spawn(write_all(receiver, sink, broken)))
}

async fn write_all<S>(
    mut receiver: UnboundedReceiver<Message>,
    mut sink: S,
    broken: CancellationToken,
) where
    S: Sink<Message> + Unpin,
{
    while let Some(first) = receiver.next().await {
        if write_batch(&mut receiver, &mut sink, first).await.is_err() {
            crate::metrics::write_failed();
            return broken.cancel();
        }
    }
    let _closing_anyway = sink.close().await;
}

/// Writes `first` and everything already queued, then flushes once.
async fn write_batch<S>(
    receiver: &mut UnboundedReceiver<Message>,
    sink: &mut S,
    first: Message,
) -> Result<(), S::Error>
where
    S: Sink<Message> + Unpin,
{
    sink.feed(first).await?;
    while let Ok(next) = receiver.try_recv() {
        sink.feed(next).await?;
    }
    sink.flush().await
}
