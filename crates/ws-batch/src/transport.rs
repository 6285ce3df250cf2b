//! Sending one batch over a `futures::Sink`: `feed` each item, one `flush`, under a timeout.

use crate::error::SendFailure;
use futures::{Sink, SinkExt};
use std::fmt::Display;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;
use tokio::time::Instant;

/// Feeds every item and flushes once; an error, or `timeout` passing since `started`, is the
/// batch's failure. The send is polled once before the timer is armed: a sink that is ready
/// at once (an in-memory one, a socket with room in its buffer) finishes without registering
/// a timer, exactly as `timeout_at` would (it polls the send before the deadline too).
pub(crate) async fn send_batch<S, I>(
    sink: &mut S,
    items: Vec<I>,
    started: Instant,
    timeout: Duration,
) -> Result<(), SendFailure>
where
    S: Sink<I> + Unpin,
    S::Error: Display,
{
    let mut send = std::pin::pin!(feed_all(sink, items));
    let first = futures::poll!(send.as_mut()).map(transport_failure);
    match first {
        Poll::Ready(sent) => sent,
        Poll::Pending => timed(send, started + timeout, timeout).await,
    }
}

/// Waits for a send already under way until `deadline` (`timeout` after its start).
async fn timed<E: Display>(
    send: impl Future<Output = Result<(), E>>,
    deadline: Instant,
    timeout: Duration,
) -> Result<(), SendFailure> {
    match tokio::time::timeout_at(deadline, send).await {
        Ok(sent) => transport_failure(sent),
        Err(_elapsed) => Err(SendFailure::Timeout(timeout)),
    }
}

fn transport_failure<E: Display>(sent: Result<(), E>) -> Result<(), SendFailure> {
    sent.map_err(|error| SendFailure::Transport(error.to_string()))
}

async fn feed_all<S, I>(sink: &mut S, items: Vec<I>) -> Result<(), S::Error>
where
    S: Sink<I> + Unpin,
{
    for item in items {
        sink.feed(item).await?;
    }
    sink.flush().await
}
