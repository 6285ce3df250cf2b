//! The client's built-in health checks for ws-monitor: open circuit breakers of the
//! reconnector's callbacks, dead letters, a full outbox, and the state synchronizer.

use super::{ClientEvent, ReliableClient};
use futures::StreamExt;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use ws_reconnect::{Event, EventStream};

/// The names of the reconnector's callbacks whose circuit breaker is open (or half-open).
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenCircuits(Arc<Mutex<HashSet<Arc<str>>>>);

impl OpenCircuits {
    /// Follows the reconnector's `events` on a background task, and passes each on to the
    /// client's own events (`ClientEvent::Reconnect`): one stream for the application.
    pub(crate) fn watch(
        events: EventStream,
        client_events: broadcast::Sender<ClientEvent>,
    ) -> Self {
        let open = OpenCircuits::default();
        tokio::spawn(open.clone().follow(events, client_events));
        open
    }

    async fn follow(self, mut events: EventStream, client_events: broadcast::Sender<ClientEvent>) {
        while let Some(event) = events.next().await {
            self.apply(&event);
            let _no_subscriber_is_fine = client_events.send(ClientEvent::Reconnect(event));
        }
    }

    fn apply(&self, event: &Event) {
        let mut open = super::lock(&self.0);
        match event {
            Event::CircuitOpened { callback } => drop(open.insert(Arc::clone(callback))),
            Event::CircuitClosed { callback } => drop(open.remove(callback)),
            _ => {}
        }
    }

    /// How many circuits are open now.
    pub(crate) fn count(&self) -> usize {
        super::lock(&self.0).len()
    }
}

#[cfg(feature = "monitor")]
mod checks {
    use super::ReliableClient;
    use std::sync::Arc;
    use ws_monitor::{Monitor, MonitorError};
    use ws_session::health::ZeroCheck;

    /// The warning checks; each must stay at 0.
    const CHECKS: [ZeroCheck<Arc<ReliableClient>>; 3] = [
        ZeroCheck {
            name: "client.open_circuits",
            what: "callback circuit breakers open",
            read: open_circuits,
        },
        ZeroCheck {
            name: "client.dead_letters",
            what: "messages dead-lettered",
            read: dead_letters,
        },
        ZeroCheck { name: "client.outbox_depth", what: "outbox full", read: outbox_full },
    ];

    impl ReliableClient {
        /// Registers the client's checks in `monitor`: `client.open_circuits`,
        /// `client.dead_letters`, `client.outbox_depth` (warnings, each must be 0) and,
        /// with a synchronizer configured, `client.sync_state` (critical).
        pub fn register_checks(
            self: &std::sync::Arc<Self>,
            monitor: &mut Monitor,
        ) -> Result<(), MonitorError> {
            for check in &CHECKS {
                check.register(monitor, self.state.rollout(), Arc::clone(self))?;
            }
            self.state.register_sync_check(monitor)
        }
    }

    fn open_circuits(client: &Arc<ReliableClient>) -> f64 {
        client.circuits.count() as f64
    }

    fn dead_letters(client: &Arc<ReliableClient>) -> f64 {
        client.state.dead_letters() as f64
    }

    fn outbox_full(client: &Arc<ReliableClient>) -> f64 {
        f64::from(u8::from(client.state.outbox_is_full()))
    }
}

impl ReliableClient {
    /// How many of the reconnector's callback circuit breakers are open now.
    pub fn open_circuits(&self) -> usize {
        self.circuits.count()
    }
}
