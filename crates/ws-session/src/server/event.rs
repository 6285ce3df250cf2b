//! [`SessionEvent`]: what happened to a session, broadcast to every subscriber.

use crate::protocol::{Mode, SessionId, SessionLostReason};

/// One thing that happened to a session, from [`SessionServer::events`](super::SessionServer::events).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A fresh session started (wsr.v1 or legacy).
    Opened {
        /// The session.
        session: SessionId,
        /// Its protocol.
        mode: Mode,
        /// Who it belongs to (the authentication hook's answer).
        identity: super::Identity,
    },
    /// A client resumed its session on a new connection.
    Resumed {
        /// The session.
        session: SessionId,
    },
    /// The session's connection ended; it stays resumable for the resume window.
    Detached {
        /// The session.
        session: SessionId,
    },
    /// A resume was refused with SESSION_LOST (the session named is not handed out).
    Lost {
        /// The session id the client presented.
        presented: SessionId,
        /// Why.
        reason: SessionLostReason,
    },
    /// The resume window passed: the session and its unacked messages are gone.
    Expired {
        /// The session.
        session: SessionId,
        /// Messages still unacknowledged when it expired.
        unacked: usize,
    },
    /// The session was detached and expired before its resume window passed, to keep the
    /// server within its budget (`ServerConfig::sessions.budget`): the oldest detached session goes
    /// first. Its messages are abandoned; a resume gets SESSION_LOST `02` expired.
    Evicted {
        /// The session.
        session: SessionId,
        /// Messages still unacknowledged when it was evicted.
        unacked: usize,
    },
    /// Another node sharing the store took the session over (its client resumed there):
    /// its connection here was closed with 4003 and it is gone from this server
    /// (`ServerConfig::sessions.store`).
    Moved {
        /// The session.
        session: SessionId,
    },
    /// The application's state callbacks failed on open or resume (feature `sync`).
    #[cfg(feature = "sync")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
    SyncFailed(crate::SyncFailure),
    /// The session ended for good: a normal close, or a legacy connection that ended.
    Closed {
        /// The session.
        session: SessionId,
    },
    /// This subscriber fell behind and missed `missed` events (counted in
    /// `ws_reliability_events_lagged_total{source="server"}`): what it tracks from events
    /// may be stale; [`SessionServer::sessions`](super::SessionServer::sessions) is the truth.
    Lagged {
        /// How many events it missed.
        missed: u64,
    },
}

impl crate::events::Lagging for SessionEvent {
    fn lagged(missed: u64) -> Self {
        SessionEvent::Lagged { missed }
    }

    /// The session a refused resume presented, or the session the event happened to.
    fn session(&self) -> Option<SessionId> {
        match self {
            SessionEvent::Lost { presented, .. } => Some(*presented),
            other => other.own_session(),
        }
    }
    const SOURCE: &'static str = "server";
}

impl SessionEvent {
    /// The session this event happened to (none for `Lost`, `SyncFailed`, `Lagged`).
    fn own_session(&self) -> Option<SessionId> {
        match self {
            SessionEvent::Opened { session, .. }
            | SessionEvent::Resumed { session }
            | SessionEvent::Detached { session } => Some(*session),
            other => other.ended_session(),
        }
    }

    /// The session this event ended (expired, evicted, moved, closed).
    fn ended_session(&self) -> Option<SessionId> {
        match self {
            SessionEvent::Expired { session, .. }
            | SessionEvent::Evicted { session, .. }
            | SessionEvent::Moved { session }
            | SessionEvent::Closed { session } => Some(*session),
            _ => None,
        }
    }
}
