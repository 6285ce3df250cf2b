//! Errors of the connection registry and of the transports behind it.

use crate::{CloseCode, ConnId, ConnState};
use std::time::Duration;

/// An operation on the registry that did not happen; the registry is left unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnError {
    /// The transition is not in the table, or the state moved first; nothing changed.
    #[error("illegal transition of {id} from {from} to {to}")]
    IllegalTransition {
        /// The connection.
        id: ConnId,
        /// The state it was in when the transition was refused.
        from: ConnState,
        /// The state that was asked for.
        to: ConnState,
    },
    /// No connection with this id is registered (never was, or already removed).
    #[error("no connection {id} in the registry")]
    NotFound {
        /// The id that was looked up.
        id: ConnId,
    },
    /// A new connection was refused; close the socket with `close_code`.
    #[error("connection refused ({reason}), close code {}", close_code.as_u16())]
    Refused {
        /// Why: the limit, the accept rate, a shutdown in progress, or a limit of the
        /// client's address.
        reason: Refusal,
        /// The WebSocket close code to send to the refused peer.
        close_code: CloseCode,
    },
    /// The close frame could not be sent or the close handshake failed: now `Failed`.
    #[error("close of {id} failed: {source}")]
    CloseFailed {
        /// The connection, now `Failed` until the sweeper removes it.
        id: ConnId,
        /// The transport's error.
        source: TransportError,
    },
    /// The connection was force-closed (released and removed) while its close waited for
    /// the peer: by [`Registry::force_close`](crate::Registry::force_close), the sweeper or
    /// a shutdown. Not a failure of the transport; nothing is left to sweep.
    #[error("close of {id} interrupted: force-closed before the peer answered")]
    CloseInterrupted {
        /// The connection, already removed.
        id: ConnId,
    },
    /// The close handshake did not complete in time: now `Failed`.
    #[error("close of {id} timed out after {timeout:?}")]
    CloseTimedOut {
        /// The connection, now `Failed` until the sweeper removes it.
        id: ConnId,
        /// The close timeout that elapsed.
        timeout: Duration,
    },
}

impl ConnError {
    /// The close code to send to the peer, for a refusal.
    pub fn close_code(&self) -> Option<CloseCode> {
        match self {
            ConnError::Refused { close_code, .. } => Some(*close_code),
            _ => None,
        }
    }
}

/// Why a new connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The registry holds its maximum number of connections.
    Limit,
    /// Connections arrive faster than the accept-rate guard allows (a reconnect storm).
    Rate,
    /// The registry is shutting down.
    ShuttingDown,
    /// The client's address (its IPv6 /64) holds its maximum number of connections
    /// ([`AddressLimits::max_connections`](crate::AddressLimits::max_connections)).
    AddressLimit,
    /// The client's address opens connections faster than its own accept rate allows
    /// ([`AddressLimits::accept_per_second`](crate::AddressLimits::accept_per_second)).
    AddressRate,
    /// The table of tracked addresses is full and none of them can be evicted
    /// ([`AddressLimits::max_addresses`](crate::AddressLimits::max_addresses)).
    AddressTableFull,
}

impl Refusal {
    /// A lowercase name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Limit => "limit",
            Refusal::Rate => "rate",
            Refusal::ShuttingDown => "shutting_down",
            Refusal::AddressLimit => "address_limit",
            Refusal::AddressRate => "address_rate",
            Refusal::AddressTableFull => "address_table_full",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of the transport under a [`Connection`](crate::Connection).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct TransportError(Box<dyn std::error::Error + Send + Sync>);

impl TransportError {
    /// Wraps any error of the transport.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        TransportError(error.into())
    }

    /// The transport's error.
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}
