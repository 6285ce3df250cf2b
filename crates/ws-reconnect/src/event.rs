//! Lifecycle events, the reasons they carry, and the stream subscribers read them from.

use crate::callback::Hook;
use futures::stream::{BoxStream, Stream, StreamExt};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::broadcast;
use ws_core::Criticality;

/// Something that happened to the reconnector, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// Attempt `attempt` (from 1 since the last healthy connection) begins.
    Connecting {
        /// The attempt number.
        attempt: u32,
    },
    /// The attempt failed: the connector's error, or a critical callback made it unusable.
    ConnectFailed {
        /// The attempt number.
        attempt: u32,
        /// Why it failed.
        error: AttemptError,
    },
    /// The connection is up and every critical on-connected callback passed.
    Connected {
        /// The attempt number.
        attempt: u32,
        /// Whether an earlier connection existed (the on-reconnected callbacks ran).
        reconnect: bool,
    },
    /// The connection ended.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
    /// The next attempt waits `delay`.
    Reconnecting {
        /// The attempt that follows the delay.
        attempt: u32,
        /// The jittered backoff delay.
        delay: Duration,
    },
    /// The reconnector stopped retrying. The last event of its life.
    GaveUp {
        /// Attempts made since the last healthy connection.
        attempts: u32,
        /// Which limit or hint stopped it.
        reason: GiveUpReason,
    },
    /// A callback failed, timed out, panicked, or was skipped by its open breaker.
    CallbackFailed {
        /// The callback's name.
        callback: Arc<str>,
        /// Where it was registered.
        hook: Hook,
        /// How much its failure matters.
        criticality: Criticality,
        /// What went wrong.
        failure: CallbackFailure,
    },
    /// The callback's breaker opened: it is skipped until the cool-down is over.
    CircuitOpened {
        /// The callback's name.
        callback: Arc<str>,
    },
    /// The cool-down is over: the next run is a trial.
    CircuitHalfOpened {
        /// The callback's name.
        callback: Arc<str>,
    },
    /// The callback succeeded again: its breaker closed.
    CircuitClosed {
        /// The callback's name.
        callback: Arc<str>,
    },
    /// The callback's fallback ran in its place and succeeded.
    FallbackUsed {
        /// The callback's name.
        callback: Arc<str>,
    },
    /// The fallback failed too.
    FallbackFailed {
        /// The callback's name.
        callback: Arc<str>,
        /// What went wrong.
        failure: CallbackFailure,
    },
    /// The reconnector was shut down (by a handle, or because every handle was dropped).
    ShutDown,
    /// This subscriber read too slowly and missed `missed` events (only on its own stream).
    Lagged {
        /// How many events were missed.
        missed: u64,
    },
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptError {
    /// The connector returned an error.
    Connect(Arc<str>),
    /// A critical callback failed (and its fallback, if any, failed too or was missing).
    Callback(Arc<str>),
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The server sent a close frame (1005 when it carried no code).
    Closed {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: Arc<str>,
    },
    /// Reading or writing failed.
    Error(Arc<str>),
    /// The stream ended without a close frame.
    StreamEnded,
}

impl DisconnectReason {
    /// The close code, when the server sent one.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            DisconnectReason::Closed { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A metric label: `closed`, `error` or `stream_ended`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DisconnectReason::Closed { .. } => "closed",
            DisconnectReason::Error(_) => "error",
            DisconnectReason::StreamEnded => "stream_ended",
        }
    }
}

/// Why the reconnector gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// [`RetryLimits::max_attempts`](crate::RetryLimits::max_attempts) attempts failed.
    MaxAttempts,
    /// [`RetryLimits::max_elapsed`](crate::RetryLimits::max_elapsed) passed since the outage began.
    MaxElapsed,
    /// The server closed with a "do not reconnect" code.
    DoNotReconnect {
        /// The close code.
        code: u16,
    },
}

impl GiveUpReason {
    /// A metric label: `max_attempts`, `max_elapsed` or `do_not_reconnect`.
    pub fn as_str(self) -> &'static str {
        match self {
            GiveUpReason::MaxAttempts => "max_attempts",
            GiveUpReason::MaxElapsed => "max_elapsed",
            GiveUpReason::DoNotReconnect { .. } => "do_not_reconnect",
        }
    }
}

/// How a callback or fallback failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackFailure {
    /// It returned an error.
    Error(Arc<str>),
    /// It panicked, with this message (the panic's text, or `(no message)`).
    Panicked(Arc<str>),
    /// It ran longer than its timeout.
    TimedOut,
    /// It was skipped because its breaker is open.
    CircuitOpen,
}

impl CallbackFailure {
    /// A metric label: `error`, `panic`, `timeout` or `circuit_open`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CallbackFailure::Error(_) => "error",
            CallbackFailure::Panicked(_) => "panic",
            CallbackFailure::TimedOut => "timeout",
            CallbackFailure::CircuitOpen => "circuit_open",
        }
    }
}

/// The sending side of the events, shared by the driver and the callbacks' runner.
#[derive(Debug, Clone)]
pub(crate) struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl EventBus {
    pub(crate) fn new(capacity: usize) -> Self {
        EventBus { sender: broadcast::channel(capacity.max(1)).0 }
    }

    /// Sends an event to every subscriber; with none, the event is only traced.
    pub(crate) fn emit(&self, event: Event) {
        tracing::debug!(?event, "ws-reconnect event");
        let _no_subscriber_is_fine = self.sender.send(event);
    }

    pub(crate) fn subscribe(&self) -> EventStream {
        EventStream { inner: futures::stream::unfold(self.sender.subscribe(), next_event).boxed() }
    }
}

async fn next_event(
    mut receiver: broadcast::Receiver<Event>,
) -> Option<(Event, broadcast::Receiver<Event>)> {
    match receiver.recv().await {
        Ok(event) => Some((event, receiver)),
        Err(broadcast::error::RecvError::Lagged(missed)) => {
            Some((Event::Lagged { missed }, receiver))
        }
        Err(broadcast::error::RecvError::Closed) => None,
    }
}

/// The events of one subscriber, in order; ends when the reconnector has stopped.
pub struct EventStream {
    inner: BoxStream<'static, Event>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("EventStream")
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.inner.poll_next_unpin(cx)
    }
}

#[cfg(test)]
mod tests;
