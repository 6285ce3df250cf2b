//! [`ReliableClient`]: wsr.v1 with reconnection (ws-reconnect), resume, an outbox that
//! keeps outgoing messages until the server acks them (ws-batch), and in-order,
//! exactly-once delivery to the application.
//!
//! The client's session state (its configuration, events, outbox, inbound order and sink)
//! is ws-session's (`ws_session::client`); here is the reconnect loop around it: the
//! connector each attempt runs (dial, upgrade, HELLO, the link), the URLs tried in turn,
//! and the first connect.

mod connector;
mod first;
mod health;
mod link;
mod route;
mod start;
mod transport;
mod value;

pub use connector::ProtocolConnector;
pub use link::ClientLink;
pub use value::ClientIncoming;
pub use ws_session::client::{
    ClientConfig, ClientEvent, ClientQueues, ClientSink, ClientTls, FirstConnect, ServerAccess,
    Timeouts, DEFAULT_IDLE_TIMEOUT, RECONNECT_SWITCHED_OFF,
};

use crate::Error;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio_tungstenite::tungstenite::Message;
use ws_reconnect::Stopped;
use ws_session::client::ClientState;
use ws_session::link::DeliverRx;
use ws_session::protocol::SessionId;

/// A reliable WebSocket client: see the [module docs](self).
#[derive(Debug)]
pub struct ReliableClient {
    state: Arc<ClientState>,
    reconnect: ws_reconnect::Client,
    incoming: Mutex<Option<DeliverRx>>,
    /// The client's own sink, behind its `Sink` impl (a mutex only to keep the client
    /// `Sync`: the impl takes `&mut self` and never locks).
    sink: Mutex<ClientSink>,
    circuits: health::OpenCircuits,
}

impl ReliableClient {
    /// The client's handles around its running reconnector: its delivery stream, its own
    /// sink, the watch of its callbacks' circuits.
    fn around(
        state: Arc<ClientState>,
        reconnect: ws_reconnect::Client,
        incoming: DeliverRx,
    ) -> Self {
        let client_events = state.events.clone();
        let circuits = health::OpenCircuits::watch(reconnect.subscribe(), client_events);
        let sink = Mutex::new(ClientSink::new(Arc::clone(&state)));
        let incoming = Mutex::new(Some(incoming));
        ReliableClient { state, reconnect, incoming, sink, circuits }
    }

    /// Queues `message` for the server; it is sent when connected and kept until the
    /// server acks it. A full outbox refuses it ([`Error::OutboxFull`], handed back).
    pub fn send(&self, message: Message) -> Result<u64, Error> {
        let payload = ws_session::link::checked_payload(message, self.state.limits().max_payload)?;
        self.state.push(payload)
    }

    /// The messages from the server, each exactly once and in order. `None` after the
    /// first call.
    pub fn incoming(&self) -> Option<ClientIncoming> {
        lock(&self.incoming).take().map(|receiver| ClientIncoming { receiver })
    }

    /// The session events from now on; a subscriber that falls behind gets
    /// [`ClientEvent::Lagged`], never a silent gap.
    pub fn events(&self) -> crate::events::Events<ClientEvent> {
        crate::events::Events::new(self.state.events.subscribe())
    }

    /// The reconnector's events (connects, disconnects, backoff, callbacks).
    pub fn reconnect_events(&self) -> ws_reconnect::EventStream {
        self.reconnect.subscribe()
    }

    /// Outgoing messages not yet acked by the server.
    pub fn unacked(&self) -> usize {
        self.state.outbox().stats().len()
    }

    /// The current session, once a WELCOME arrived.
    pub fn session(&self) -> Option<SessionId> {
        self.state.session()
    }

    /// The runtime switches this client follows (the same handle as its config's).
    pub fn rollout(&self) -> &crate::rollout::Rollout {
        self.state.rollout()
    }

    /// Closes with 1000 (the server forgets the session) and stops reconnecting.
    pub async fn shutdown(self) -> Stopped {
        self.reconnect.shutdown().await
    }

    /// A sink of messages to the server with backpressure (see [`ClientSink`]).
    pub fn sink(&self) -> ClientSink {
        ClientSink::new(Arc::clone(&self.state))
    }
}

/// Locks a std mutex, recovering from poisoning (every critical section is one assignment).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
