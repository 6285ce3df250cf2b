//! Where failures go besides the caller: a failure handler and a broadcast event stream.

use crate::metrics;
use crate::report::Failure;
use crate::state::Transition;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokio::sync::broadcast;

/// A function called with every failure of every sync, in the task that ran the sync.
pub type FailureHandler = Arc<dyn Fn(&Failure) + Send + Sync>;

/// What a subscriber of [`Synchronizer::subscribe`](crate::Synchronizer::subscribe) receives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SyncEvent {
    /// A callback failed (every failure, warning or critical).
    Failure(Failure),
    /// The synchronizer changed state (after a sync or a recovery).
    StateChanged(Transition),
}

/// Delivers failures and transitions to the handler and to event subscribers.
pub(crate) struct Notifier {
    synchronizer: Arc<str>,
    events: broadcast::Sender<SyncEvent>,
    handler: Option<FailureHandler>,
}

impl Notifier {
    pub(crate) fn new(
        synchronizer: Arc<str>,
        capacity: usize,
        handler: Option<FailureHandler>,
    ) -> Self {
        let (events, _) = broadcast::channel(capacity.max(1));
        Notifier { synchronizer, events, handler }
    }

    /// A new receiver of every event from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    /// Hands one failure to the handler (a panic in it is caught and counted) and to the
    /// subscribers.
    pub(crate) fn failure(&self, failure: &Failure) {
        if let Some(handler) = &self.handler {
            let call = AssertUnwindSafe(|| handler(failure));
            if std::panic::catch_unwind(call).is_err() {
                metrics::record_handler_panic(&self.synchronizer);
            }
        }
        self.send(SyncEvent::Failure(failure.clone()));
    }

    /// Publishes a transition to the subscribers, unless the state stayed the same.
    pub(crate) fn transition(&self, transition: Transition) {
        if transition.from != transition.to {
            self.send(SyncEvent::StateChanged(transition));
        }
    }

    /// Sends to the subscribers; having none is not an error (the caller and the metrics
    /// still see every failure).
    fn send(&self, event: SyncEvent) {
        let _no_subscriber_is_fine = self.events.send(event);
    }
}
