//! [`ClientState`]: what a client keeps across connections: the session id and token, its
//! outbox, what it delivered, and what a WELCOME or a SESSION_LOST does to them.

use super::ClientEvent;
use crate::link::{lock, session_outbox, Delivered, Inbound};
use crate::protocol::{
    Hello, InOrder, Limits, Mode, Payload, Resume, ResumeToken, SessionId, SessionLostReason,
    Welcome,
};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc};
use tokio_tungstenite::tungstenite::Bytes;
use ws_batch::{Outbox, OutboxConfig};

/// The session a client can resume.
#[derive(Debug, Clone)]
struct Resumable {
    id: SessionId,
    token: ResumeToken,
}

/// Shared by the client handle and every connection attempt.
#[derive(Debug)]
pub(crate) struct ClientState {
    session: Mutex<Option<Resumable>>,
    outbox: Mutex<Outbox<Payload>>,
    inbound: Mutex<Inbound>,
    limits: Mutex<Limits>,
    base: OutboxConfig,
    auth: Bytes,
    pub(crate) deliver: mpsc::Sender<Delivered>,
    pub(crate) events: broadcast::Sender<ClientEvent>,
}

impl ClientState {
    pub(crate) fn new(base: OutboxConfig, auth: Bytes, deliver: mpsc::Sender<Delivered>) -> Self {
        let limits = Limits::default();
        let outbox = Mutex::new(session_outbox(Mode::V1, &limits, base.clone()));
        let (session, inbound) =
            (Mutex::new(None), Mutex::new(Arc::new(Mutex::new(InOrder::new()))));
        let (limits, events) = (Mutex::new(limits), broadcast::channel(256).0);
        ClientState { session, outbox, inbound, limits, base, auth, deliver, events }
    }

    /// The HELLO for the next connection: a resume when a session is held.
    pub(crate) fn hello(&self) -> Hello {
        let session = lock(&self.session).clone();
        let last_received = lock(&self.inbound()).last_delivered();
        let resume =
            session.map(|held| Resume { session: held.id, token: held.token, last_received });
        Hello { resume, auth: self.auth.clone() }
    }

    /// Applies a WELCOME: keeps the new token; on a resume the server's `last_received`
    /// acks the outbox and the rest is requeued to be resent first.
    pub(crate) async fn welcomed(&self, welcome: &Welcome) {
        let held = Resumable { id: welcome.session, token: welcome.token.clone() };
        *lock(&self.session) = Some(held);
        *lock(&self.limits) = welcome.limits;
        self.resend_after(welcome.last_received).await;
        let event = ClientEvent::Connected { session: welcome.session, resumed: welcome.resumed };
        let _no_subscriber = self.events.send(event);
    }

    /// Everything up to `last_received` arrived; the rest goes out again, first.
    async fn resend_after(&self, last_received: u64) {
        let outbox = self.outbox();
        if last_received > 0 {
            let _nothing_sent_yet_is_fine = outbox.ack(last_received);
        }
        outbox.requeue_unacked().await;
    }

    /// Applies a SESSION_LOST: the session, its outbox and its receive state are gone; the
    /// unconfirmed outgoing messages are reported, and the next HELLO is fresh.
    pub(crate) fn lost(&self, reason: SessionLostReason) {
        let previous = lock(&self.session).take().map(|held| held.id);
        let fresh = session_outbox(Mode::V1, &Limits::default(), self.base.clone());
        let unconfirmed = std::mem::replace(&mut *lock(&self.outbox), fresh).stats().len();
        *lock(&self.inbound) = Arc::new(Mutex::new(InOrder::new()));
        let event = ClientEvent::SessionLost { session: previous, reason, unconfirmed };
        let _no_subscriber = self.events.send(event);
    }

    pub(crate) fn outbox(&self) -> Outbox<Payload> {
        lock(&self.outbox).clone()
    }

    pub(crate) fn inbound(&self) -> Inbound {
        Arc::clone(&lock(&self.inbound))
    }

    pub(crate) fn limits(&self) -> Limits {
        *lock(&self.limits)
    }

    pub(crate) fn session(&self) -> Option<SessionId> {
        lock(&self.session).as_ref().map(|held| held.id)
    }
}
