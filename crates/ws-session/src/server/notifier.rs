//! [`Notifier`]: what a server tells its application besides the messages: session events,
//! to every subscriber, a fresh session to `accept`, and the state callbacks (feature
//! `sync`) run on every open and resume, whose failures are events too.

use super::backlog::Place;
use super::session::SessionState;
use super::{ServerConfig, SessionEvent};
use crate::events::Events;
use crate::protocol::SessionId;
use crate::state_sync::StateSync;
use std::sync::Arc;
use tokio::sync::broadcast;

/// How many events a subscriber may fall behind before it gets `Lagged`.
const EVENTS_CAPACITY: usize = 1024;

/// The server's events and its state callbacks.
#[derive(Debug)]
pub(super) struct Notifier {
    events: broadcast::Sender<SessionEvent>,
    sync: StateSync<SessionEvent>,
}

impl Notifier {
    /// The events of a server configured by `config`, with its state callbacks.
    pub(super) fn new(config: &ServerConfig) -> Self {
        let events = broadcast::channel(EVENTS_CAPACITY).0;
        let sync = StateSync::new(&config.hooks, &config.rollout, &events);
        Notifier { events, sync }
    }

    /// Tells every subscriber.
    pub(super) fn emit(&self, event: SessionEvent) {
        let _no_subscriber_is_fine = self.events.send(event);
    }

    /// Announces a fresh session: its event, and (sessions accepted as values) the session
    /// itself in the place reserved for it in the backlog.
    pub(super) fn opened(&self, session: &Arc<SessionState>, place: Place<'_>) {
        let identity = session.identity.clone();
        self.emit(SessionEvent::Opened { session: session.id, mode: session.mode, identity });
        if let Some(place) = place {
            place.send(Arc::clone(session));
        }
    }

    /// A new subscriber to every session's events.
    pub(super) fn subscribe(&self) -> Events<SessionEvent> {
        Events::new(self.events.subscribe())
    }

    /// A new subscriber to `session`'s events.
    pub(super) fn subscribe_to(&self, session: SessionId) -> Events<SessionEvent> {
        Events::of(self.events.subscribe(), session)
    }

    /// Runs the state callbacks for `session` on their own task, when the session has the
    /// `sync` fix; a failure is a `SessionEvent::SyncFailed`.
    pub(super) fn start_sync(&self, session: SessionId, resumed: bool) {
        self.sync.start(session, resumed);
    }
}

#[cfg(feature = "sync")]
impl crate::state_sync::SyncEvent for SessionEvent {
    fn sync_failed(failure: crate::SyncFailure) -> Self {
        SessionEvent::SyncFailed(failure)
    }
}
