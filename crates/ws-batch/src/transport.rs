//! Sending one batch over a `futures::Sink`: `feed` each item, one `flush`, under a timeout.

use crate::error::SendFailure;
use futures::{Sink, SinkExt};
use std::fmt::Display;
use std::time::Duration;
use tokio::time::Instant;

/// Feeds every item and flushes once; an error, or `timeout` passing since `started`, is the
/// batch's failure.
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
    match tokio::time::timeout_at(started + timeout, feed_all(sink, items)).await {
        Ok(sent) => sent.map_err(|error| SendFailure::Transport(error.to_string())),
        Err(_elapsed) => Err(SendFailure::Timeout(timeout)),
    }
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
