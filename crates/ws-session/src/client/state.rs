//! [`ClientState`]: what a client keeps across connections: the session id and token, its
//! outbox, what it delivered, and what a WELCOME or a SESSION_LOST does to them.

use super::{ClientConfig, ClientEvent};
use crate::error::Error;
use crate::protocol::{
    Hello, InOrder, Limits, Resume, ResumeToken, SessionId, SessionLostReason, Welcome,
};
use crate::session_link::{lock, outbox_full, DeliverTx, Inbound, OutboxBase, Stored};
use crate::state_sync::StateSync;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Bytes;
use ws_batch::{Confirmation, Outbox, OutboxError};

/// The session a client can resume.
#[derive(Debug, Clone)]
struct Resumable {
    id: SessionId,
    token: ResumeToken,
}

/// What the client's configuration fixes for every session.
#[derive(Debug)]
struct Settings {
    base: OutboxBase,
    auth: Bytes,
    idle_timeout: Option<Duration>,
    rollout: crate::rollout::Rollout,
    sync: StateSync<ClientEvent>,
}

impl Settings {
    /// The settings of `config`, the state callbacks' failures sent to `events`.
    fn new(config: &ClientConfig, events: &broadcast::Sender<ClientEvent>) -> Self {
        let base = OutboxBase::new(config.queues.outbox.clone());
        let auth = config.server.auth.clone();
        let idle_timeout = config.timeouts.idle;
        let rollout = config.rollout.clone();
        let sync = StateSync::new(&config.hooks, &rollout, events);
        Settings { base, auth, idle_timeout, rollout, sync }
    }

    /// The outbox of a session not yet welcomed: ack-confirmed, under the default limits
    /// until a WELCOME sets the server's window.
    fn fresh_outbox(&self) -> Outbox<Stored> {
        self.base.outbox_with(Confirmation::Ack, &Limits::default(), false)
    }
}

/// Shared by the client handle and every connection attempt: `ws-reliability`'s
/// `ReliableClient` and its connector (the reconnect loop) drive it.
#[derive(Debug)]
pub struct ClientState {
    session: Mutex<Option<Resumable>>,
    outbox: Mutex<Outbox<Stored>>,
    inbound: Mutex<Inbound>,
    limits: Mutex<Limits>,
    settings: Settings,
    /// Where every connection's reader delivers, in order, to the application.
    pub deliver: DeliverTx,
    /// The client's events, one stream for the application.
    pub events: broadcast::Sender<ClientEvent>,
}

impl ClientState {
    /// The state of a client configured by `config`, delivering into `deliver`.
    pub fn new(config: &ClientConfig, deliver: DeliverTx) -> Self {
        let events = broadcast::channel(256).0;
        let settings = Settings::new(config, &events);
        let outbox = Mutex::new(settings.fresh_outbox());
        let session = Mutex::new(None);
        let inbound = Mutex::new(Arc::new(Mutex::new(InOrder::new())));
        let limits = Mutex::new(Limits::default());
        ClientState { session, outbox, inbound, limits, settings, deliver, events }
    }

    /// The HELLO for the next connection: a resume when a session is held.
    pub fn hello(&self) -> Hello {
        let session = lock(&self.session).clone();
        let last_received = lock(&self.inbound()).last_delivered();
        let resume =
            session.map(|held| Resume { session: held.id, token: held.token, last_received });
        Hello { resume, auth: self.settings.auth.clone(), batch: true }
    }

    /// Applies a WELCOME: keeps the new token; on a resume the server's `last_received`
    /// acks the outbox and the rest is requeued to be resent first.
    pub async fn welcomed(&self, welcome: &Welcome) {
        let held = Resumable { id: welcome.session, token: welcome.token.clone() };
        *lock(&self.session) = Some(held);
        self.apply_limits(welcome.limits);
        self.resend_after(welcome.last_received).await;
        let event = ClientEvent::Connected { session: welcome.session, resumed: welcome.resumed };
        let _no_subscriber = self.events.send(event);
        self.settings.sync.start(welcome.session, welcome.resumed);
    }

    /// The server's limits: what the reader enforces, and the send window the outbox's
    /// flusher keeps to (never more than `max_unacked` DATA beyond the last ack, § 6).
    fn apply_limits(&self, limits: Limits) {
        *lock(&self.limits) = limits;
        self.outbox().set_window(usize::try_from(limits.max_unacked).unwrap_or(usize::MAX));
    }

    /// Everything up to `last_received` arrived; the rest goes out again, first, but a
    /// message larger than the WELCOME's `max_payload` (numbered under an earlier limit)
    /// leaves as a dead letter and the others are numbered again after `last_received`
    /// (`docs/protocol.md` § 6): resending it would only meet 1009 again and again.
    async fn resend_after(&self, last_received: u64) {
        let outbox = self.outbox();
        if last_received > 0 {
            let _nothing_sent_yet_is_fine = outbox.ack(last_received);
        }
        let max_payload = self.limits().max_payload;
        outbox.requeue_refusing(|stored| stored.as_bytes().len() as u64 > max_payload).await;
    }

    /// Applies a SESSION_LOST: the session, its outbox and its receive state are gone; the
    /// unconfirmed outgoing messages are reported, and the next HELLO is fresh. The old
    /// outbox is closed before it is counted: a push that raced the replacement either made
    /// it in (and is counted here) or is refused and goes to the fresh outbox.
    pub fn lost(&self, reason: SessionLostReason) {
        let previous = lock(&self.session).take().map(|held| held.id);
        let old = std::mem::replace(&mut *lock(&self.outbox), self.settings.fresh_outbox());
        old.close();
        let unconfirmed = old.stats().len();
        *lock(&self.inbound) = Arc::new(Mutex::new(InOrder::new()));
        let event = ClientEvent::SessionLost { session: previous, reason, unconfirmed };
        let _no_subscriber = self.events.send(event);
    }

    /// Tells the application about a failed attempt it can act on: a TLS failure (feature
    /// `tls`) is counted and becomes a [`ClientEvent::TlsFailed`].
    #[cfg(feature = "tls")]
    pub fn attempt_failed(&self, error: &Error) {
        if let Error::Tls(tls) = error {
            crate::metrics::tls_failed("client", tls.label());
            let _no_subscriber = self.events.send(ClientEvent::TlsFailed(tls.clone()));
        }
    }

    /// Without TLS, no failed attempt needs more than the reconnector's event.
    #[cfg(not(feature = "tls"))]
    pub fn attempt_failed(&self, _error: &Error) {}

    /// The runtime switches this client follows.
    pub fn rollout(&self) -> &crate::rollout::Rollout {
        &self.settings.rollout
    }

    /// Messages dead-lettered so far (never with the default settings).
    #[cfg(feature = "monitor")]
    pub fn dead_letters(&self) -> u64 {
        self.settings.base.dead_letters()
    }

    /// Whether the outbox holds as many messages as the server's window allows.
    #[cfg(feature = "monitor")]
    pub fn outbox_is_full(&self) -> bool {
        self.outbox().stats().len() as u64 >= self.limits().max_unacked
    }

    /// Registers `client.sync_state` (critical) when a synchronizer is configured.
    #[cfg(all(feature = "monitor", feature = "sync"))]
    pub fn register_sync_check(
        &self,
        monitor: &mut ws_monitor::Monitor,
    ) -> Result<(), ws_monitor::MonitorError> {
        let Some(sync) = self.settings.sync.synchronizer().cloned() else { return Ok(()) };
        let rollout = self.settings.rollout.clone();
        let check = ws_monitor::from_fn(move || crate::health::sync_check(&sync, &rollout));
        let critical = ws_core::Criticality::Critical;
        monitor
            .register("client.sync_state", critical, crate::health::CHECK_TIMEOUT, check)
            .map(drop)
    }

    /// Without the `sync` feature there is no synchronizer to check.
    #[cfg(all(feature = "monitor", not(feature = "sync")))]
    pub fn register_sync_check(
        &self,
        _monitor: &mut ws_monitor::Monitor,
    ) -> Result<(), ws_monitor::MonitorError> {
        Ok(())
    }

    /// How long the server may stay silent before the connection counts as lost.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.settings.idle_timeout
    }

    /// The outbox of the current session.
    pub fn outbox(&self) -> Outbox<Stored> {
        lock(&self.outbox).clone()
    }

    /// Pushes `payload` into the client's outbox. A SESSION_LOST may replace the outbox
    /// between taking it and pushing: the closed one refuses the push, and it goes into the
    /// fresh one, so a send never lands where nothing will send it.
    pub fn push(&self, mut payload: Stored) -> Result<u64, Error> {
        loop {
            let outbox = self.outbox();
            super::race::between_take_and_push();
            match outbox.push(payload) {
                Err(OutboxError::Closed { message }) => payload = message,
                pushed => return pushed.map_err(|error| self.refused(error)),
            }
        }
    }

    /// The error of a push the outbox refused (full), with the message handed back.
    fn refused(&self, error: OutboxError<Stored>) -> Error {
        outbox_full(self.session_or_zero(), error)
    }

    /// The session to name in an error: the current one, or all zeros before the first.
    pub fn session_or_zero(&self) -> SessionId {
        self.session().unwrap_or(SessionId::from_bytes([0; 16]))
    }

    /// The in-order receive state of the current session.
    pub fn inbound(&self) -> Inbound {
        Arc::clone(&lock(&self.inbound))
    }

    /// The server's limits, from its last WELCOME.
    pub fn limits(&self) -> Limits {
        *lock(&self.limits)
    }

    /// The current session, once a WELCOME arrived.
    pub fn session(&self) -> Option<SessionId> {
        lock(&self.session).as_ref().map(|held| held.id)
    }
}
