//! What the registry tells its owner: every open, close, failure, ghost and force-close.

use crate::ConnId;
use std::time::Duration;

/// One thing that happened to a connection, broadcast to every subscriber of
/// [`Registry::subscribe`](crate::Registry::subscribe).
///
/// Every connection ends with exactly one `Closed` or `ForceClosed`, emitted after it left
/// the registry and its socket was released: that is the moment to detach its session.
/// A connection's events arrive in the order its transitions happened: `Opened` first,
/// then `GhostDetected` and `Failed` when they apply, the final event last.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnEvent {
    /// Registered and `Active`.
    Opened {
        /// The connection.
        id: ConnId,
    },
    /// Entered `Failed`; the sweeper removes it on its next pass.
    Failed {
        /// The connection.
        id: ConnId,
        /// Why.
        cause: FailCause,
    },
    /// Found silent past the idle timeout; it is force-closed next.
    GhostDetected {
        /// The connection.
        id: ConnId,
        /// How long it had been silent.
        idle: Duration,
    },
    /// Closed gracefully (the peer answered the close) and removed.
    Closed {
        /// The connection.
        id: ConnId,
    },
    /// Released without the peer's answer and removed.
    ForceClosed {
        /// The connection.
        id: ConnId,
        /// Who forced it.
        cause: ForceCause,
    },
}

impl ConnEvent {
    /// The connection the event is about.
    pub fn id(&self) -> ConnId {
        match self {
            ConnEvent::Opened { id }
            | ConnEvent::Failed { id, .. }
            | ConnEvent::GhostDetected { id, .. }
            | ConnEvent::Closed { id }
            | ConnEvent::ForceClosed { id, .. } => *id,
        }
    }

    /// Whether the connection has left the registry with this event.
    pub fn is_final(&self) -> bool {
        matches!(self, ConnEvent::Closed { .. } | ConnEvent::ForceClosed { .. })
    }
}

/// Why a connection entered `Failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailCause {
    /// The close frame could not be sent or the handshake broke.
    CloseError,
    /// The close handshake did not complete within the close timeout.
    CloseTimeout,
    /// A heartbeat ping could not be sent.
    PingError,
    /// The owner reported the connection broken
    /// ([`Registry::mark_failed`](crate::Registry::mark_failed)).
    Reported,
    /// The sweeper found it stuck in `Closing` past the close timeout.
    StuckClosing,
    /// The sweeper found it silent past the idle timeout.
    Ghost,
}

/// Why a connection was force-closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForceCause {
    /// The sweeper removed a `Failed` connection.
    Failed,
    /// The sweeper removed a connection stuck in `Closing`.
    StuckClosing,
    /// The sweeper removed a ghost.
    Ghost,
    /// Graceful shutdown ran out of time.
    Shutdown,
    /// The owner asked for it ([`Registry::force_close`](crate::Registry::force_close)).
    Requested,
}

impl ForceCause {
    /// A lowercase name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            ForceCause::Failed => "failed",
            ForceCause::StuckClosing => "stuck_closing",
            ForceCause::Ghost => "ghost",
            ForceCause::Shutdown => "shutdown",
            ForceCause::Requested => "requested",
        }
    }
}
