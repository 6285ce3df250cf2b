//! [`Gate`]: where one direction of a [`FaultyStream`](super::FaultyStream) stands in its
//! current operation (free, held by a delay or stall, or open).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// Where one direction of the stream stands in its current operation.
#[derive(Debug, Default)]
pub(super) enum Gate {
    /// No operation in progress: the next poll draws a decision.
    #[default]
    Idle,
    /// A delay or stall is running; the operation proceeds when it ends.
    Waiting(Pin<Box<Sleep>>),
    /// The decision was "proceed" and the inner operation is in progress.
    Open,
}

impl Gate {
    pub(super) fn poll_open(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Gate::Waiting(sleep) = self {
            ready!(sleep.as_mut().poll(cx));
            *self = Gate::Open;
        }
        Poll::Ready(())
    }
}

/// A gate held closed for `duration` of tokio time.
pub(super) fn waiting(duration: Duration) -> Gate {
    Gate::Waiting(Box::pin(tokio::time::sleep(duration)))
}
