//! Errors: the client handle's send errors and the bundled connector's connect errors.

use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

/// What a callback or fallback returns when it fails: any error, boxed.
pub type CallbackError = Box<dyn std::error::Error + Send + Sync>;

/// A send through a [`ClientHandle`](crate::ClientHandle) or [`ClientSink`](crate::ClientSink)
/// that did not go through; the message is handed back when there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconnectError {
    /// The send buffer holds `capacity` messages already (the connection is down or slow).
    #[error("send buffer is full ({capacity} messages)")]
    BufferFull {
        /// The message that was not buffered.
        message: Message,
        /// The buffer's capacity, from [`Buffers::send`](crate::Buffers::send).
        capacity: usize,
    },
    /// The reconnector has stopped (shut down, gave up, or its task ended).
    #[error("reconnector has stopped")]
    Stopped {
        /// The message that was not sent, when the failing call carried one.
        message: Option<Message>,
    },
}

impl ReconnectError {
    /// The message handed back, if the failing call carried one.
    pub fn into_message(self) -> Option<Message> {
        match self {
            ReconnectError::BufferFull { message, .. } => Some(message),
            ReconnectError::Stopped { message } => message,
        }
    }

    /// A metric label: `buffer_full` or `stopped`.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            ReconnectError::BufferFull { .. } => "buffer_full",
            ReconnectError::Stopped { .. } => "stopped",
        }
    }
}

/// Why [`TungsteniteConnector`](crate::TungsteniteConnector) could not open a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The TCP connect and WebSocket handshake took longer than the connect timeout.
    #[error("connect timed out after {0:?}")]
    Timeout(Duration),
    /// The TCP connect or the WebSocket handshake failed.
    #[error("websocket connect failed: {0}")]
    WebSocket(#[from] tungstenite::Error),
}
