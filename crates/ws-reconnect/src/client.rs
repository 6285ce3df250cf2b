//! The builder (`Reconnector`) and the running client (`Client`).

use crate::callback::{Callback, Hook};
use crate::config::ReconnectConfig;
use crate::connector::Connector;
use crate::driver::{Channels, Driver, StopReason, Stopped};
use crate::event::{EventBus, EventStream};
use crate::handle::{ClientHandle, Incoming};
use crate::hooks::Hooks;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use ws_core::JitterRng;

/// Builds a reconnecting client: a connector, a configuration, callbacks; then
/// [`spawn`](Reconnector::spawn) it.
pub struct Reconnector<C: Connector> {
    pub(crate) connector: C,
    pub(crate) config: ReconnectConfig,
    pub(crate) rng: JitterRng,
    pub(crate) hooks: Hooks<C::Connection>,
    pub(crate) events: EventBus,
    pub(crate) incoming: Option<mpsc::Sender<Message>>,
}

impl<C: Connector> Reconnector<C> {
    /// A reconnector with an entropy-seeded jitter source.
    pub fn new(connector: C, config: ReconnectConfig) -> Self {
        let events = EventBus::new(config.buffers.events);
        let hooks = Hooks::new(events.clone(), config.callbacks);
        let rng = JitterRng::from_entropy();
        Reconnector { connector, config, rng, hooks, events, incoming: None }
    }

    /// The same reconnector with another jitter source (seed it in tests).
    pub fn with_rng(self, rng: JitterRng) -> Self {
        Reconnector { rng, ..self }
    }

    /// Registers a callback run after every successful connect, before `Connected`.
    pub fn on_connected(mut self, callback: Callback<C::Connection>) -> Self {
        self.hooks.register(Hook::Connected, callback);
        self
    }

    /// Registers a callback run after every successful reconnect, after the on-connected ones.
    pub fn on_reconnected(mut self, callback: Callback<C::Connection>) -> Self {
        self.hooks.register(Hook::Reconnected, callback);
        self
    }

    /// Registers a callback run after a connection ended.
    pub fn on_disconnected(mut self, callback: Callback<C::Connection>) -> Self {
        self.hooks.register(Hook::Disconnected, callback);
        self
    }

    /// A stream of every event from now on; subscribe before `spawn` to see the first.
    pub fn subscribe(&self) -> EventStream {
        self.events.subscribe()
    }

    /// The stream of incoming messages; without it, incoming messages are discarded. A
    /// second call replaces the first stream, which then ends.
    pub fn incoming(&mut self) -> Incoming {
        let (sender, receiver) = mpsc::channel(self.config.buffers.incoming.max(1));
        self.incoming = Some(sender);
        Incoming::new(receiver)
    }

    /// Starts the reconnect loop on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime (as `tokio::spawn` does).
    pub fn spawn(mut self) -> Client {
        let (sender, outbox) = mpsc::channel(self.config.buffers.send.max(1));
        let shutdown = CancellationToken::new();
        let handle = ClientHandle::new(sender, shutdown.clone());
        let events = self.events.clone();
        let io = Channels { outbox, pending: Vec::new(), incoming: self.incoming.take() };
        let driver = Driver::new(self, io, shutdown);
        let task = tokio::spawn(driver.run().instrument(tracing::info_span!("ws_reconnect")));
        Client { handle, events, task }
    }
}

/// A running reconnecting client.
#[derive(Debug)]
pub struct Client {
    handle: ClientHandle,
    events: EventBus,
    task: JoinHandle<Stopped>,
}

impl Client {
    /// A handle to send and to shut down; clone it freely.
    pub fn handle(&self) -> ClientHandle {
        self.handle.clone()
    }

    /// A stream of every event from now on.
    pub fn subscribe(&self) -> EventStream {
        self.events.subscribe()
    }

    /// Shuts the reconnector down and waits for it to end.
    pub async fn shutdown(self) -> Stopped {
        self.handle.shutdown();
        self.wait().await
    }

    /// Waits for the reconnector to end (shut down by a handle, or gave up).
    pub async fn wait(self) -> Stopped {
        let Client { handle, task, .. } = self;
        let stopped = task.await;
        drop(handle);
        stopped.unwrap_or_else(|error| Stopped::new(StopReason::TaskFailed(error.to_string())))
    }
}
