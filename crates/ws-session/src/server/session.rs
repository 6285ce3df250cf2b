//! [`SessionState`]: what the server keeps for one client across its connections: the outbox,
//! the receive state, the resume guard and the connection currently attached.

use super::durable::DurableSession;
use crate::link::{StopMark, Stops};
use crate::protocol::{InOrder, Mode, ProtocolError, ResumeGuard, SessionId};
use crate::rollout::Fix;
use crate::session_link::{lock, DeliverRx, DeliverTx, Inbound, LinkToken, OutboxBase, Stored};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use ws_batch::{Confirmation, Outbox};

/// What a session keeps across processes: its id, token state and receive progress.
pub(crate) struct Kept {
    pub(crate) id: SessionId,
    pub(crate) guard: ResumeGuard,
    /// The client's messages delivered through here.
    pub(crate) received: u64,
}

/// How a session was opened: protocol, owner, whether it outlives its connection.
pub(crate) struct Opening {
    pub(crate) mode: Mode,
    pub(crate) identity: super::Identity,
    pub(crate) resumable: bool,
}

/// The connection attached to a session, if any, and how many attached so far.
#[derive(Debug, Default)]
struct Attachment {
    /// The links' generations and stops: no token of their own (`docs/learnings.md` § 38).
    links: StopMark,
    /// When the last connection detached, while none is attached.
    detached_at: Option<Instant>,
    /// The close the application ended the session with, for its connection. Boxed: a
    /// session that never gets one keeps 8 bytes, not 40; under this lock rather than one
    /// of its own, 8 bytes fewer (`docs/learnings.md` § 36).
    farewell: Option<Box<CloseFrame>>,
}

impl Attachment {
    /// Whether a connection is attached: one attached since the session began, and no
    /// connection detached since.
    fn attached(&self) -> bool {
        self.links.generation() > 0 && self.detached_at.is_none()
    }
}

/// Who runs the session: the attached connection, and the lock it holds while it runs.
#[derive(Debug, Default)]
struct Control {
    attachment: Mutex<Attachment>,
    /// Held by the connection that runs the session, so a resume waits for the old one.
    serial: tokio::sync::Mutex<()>,
    /// The highest sequence number ever queued for the client.
    pushed: AtomicU64,
    /// Its write-ahead state when the server keeps sessions in a store.
    durable: std::sync::OnceLock<Arc<DurableSession>>,
}

/// A session's own delivery channel ([`IncomingMode::PerSession`](super::IncomingMode)).
#[derive(Debug)]
struct Own {
    /// Where the session's links deliver; taken when the session ends, so its stream ends
    /// once the last connection is gone.
    deliver: Mutex<Option<DeliverTx>>,
    /// The stream's end, until the application takes it.
    incoming: Mutex<Option<DeliverRx>>,
}

/// A connection's turn to run its session: the token that stops it, its generation, and
/// the session's lock, held until the connection is done. Taken apart by its owner, so
/// that the token moves on and the generation sits beside the flags, not padded.
pub(crate) struct Turn<'a> {
    pub(crate) token: LinkToken,
    pub(crate) generation: u32,
    pub(crate) serial: tokio::sync::MutexGuard<'a, ()>,
}

/// One client's session.
#[derive(Debug)]
pub(crate) struct SessionState {
    pub(crate) id: SessionId,
    pub(crate) mode: Mode,
    /// Whether the session outlives its connection: wsr.v1 with the `batch` fix, whose
    /// outbox keeps every message until the client acks it.
    pub(crate) resumable: bool,
    pub(crate) outbox: Outbox<Stored>,
    pub(crate) inbound: Inbound,
    pub(crate) guard: Mutex<ResumeGuard>,
    /// Who the session belongs to (the authentication hook's answer).
    pub(crate) identity: super::Identity,
    control: Control,
    /// Set once the session is removed for good (closed or expired): never acked again.
    /// Here rather than in `Control`, it takes room the fields above leave (a smaller
    /// heap chunk per session, `docs/learnings.md` § 38).
    ended: AtomicBool,
    own: Option<Box<Own>>,
}

impl SessionState {
    /// A fresh session of `identity` with a new id and token, under `config`'s limits and
    /// switches. Without the `batch` fix (rolled out of it, or a legacy peer) its outbox
    /// confirms on flush and it ends with its connection.
    pub(crate) fn new(
        mode: Mode,
        identity: super::Identity,
        config: &super::ServerConfig,
        base: &OutboxBase,
    ) -> Result<Self, ProtocolError> {
        let id = SessionId::generate()?;
        let resumable = mode == Mode::V1 && config.rollout.enabled_for(Fix::Batch, &id);
        let guard = ResumeGuard::new(config.limits.resume_window)?;
        let kept = Kept { id, guard, received: 0 };
        Ok(Self::with(kept, Opening { mode, identity, resumable }, config, base))
    }

    /// A session from its `kept` parts: its outbox held for the store's writes when the
    /// server keeps a resumable session in a store.
    pub(crate) fn with(
        kept: Kept,
        opening: Opening,
        config: &super::ServerConfig,
        base: &OutboxBase,
    ) -> Self {
        let outbox = outbox_for(&opening, config, base);
        let inbound = Arc::new(Mutex::new(InOrder::resuming_after(kept.received)));
        let guard = Mutex::new(kept.guard);
        let Opening { mode, identity, resumable } = opening;
        let control = Control::default();
        let ended = AtomicBool::new(false);
        let own = None;
        Self { id: kept.id, mode, resumable, outbox, inbound, guard, identity, control, ended, own }
    }

    /// The session with its own delivery channel of `buffer` messages
    /// ([`IncomingMode::PerSession`](super::IncomingMode)).
    pub(crate) fn with_own_incoming(self, buffer: usize) -> Self {
        let (deliver, incoming) = crate::session_link::delivery_channel(buffer);
        let own = Own { deliver: Mutex::new(Some(deliver)), incoming: Mutex::new(Some(incoming)) };
        SessionState { own: Some(Box::new(own)), ..self }
    }

    /// Where a new connection of the session delivers: its own channel if it has one (a
    /// closed one once the session ended), else the server's `shared` one.
    pub(crate) fn deliver_via(&self, shared: &DeliverTx) -> DeliverTx {
        match &self.own {
            None => shared.clone(),
            Some(own) => lock(&own.deliver).clone().unwrap_or_else(closed_delivery),
        }
    }

    /// The session's own stream, the first time it is asked for.
    pub(crate) fn take_incoming(&self) -> Option<DeliverRx> {
        self.own.as_ref().and_then(|own| lock(&own.incoming).take())
    }

    /// Waits until no other connection runs the session; holds it until dropped.
    pub(crate) async fn serial(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.control.serial.lock().await
    }

    /// Attaches a new connection (the previous one is cancelled), then waits for its
    /// turn: the token that stops the new connection, and its [`Turn`].
    pub(crate) async fn take_turn(self: &Arc<Self>) -> Turn<'_> {
        let (token, generation) = self.attach();
        let serial = self.serial().await;
        Turn { token, generation, serial }
    }

    /// Notes the sequence number of a message just pushed (and for the store's journal).
    pub(crate) fn pushed(&self, seq: u64) {
        self.control.pushed.fetch_max(seq, Ordering::Relaxed);
        if let Some(durable) = self.durable() {
            durable.pushed(seq);
        }
    }

    /// The highest sequence number ever queued for the client.
    pub(crate) fn last_pushed(&self) -> u64 {
        self.control.pushed.load(Ordering::Relaxed)
    }

    /// Marks the session ended for good (removed: closed or expired). A
    /// [`SessionSink`](super::SessionSink) or a waiting `send_wait` then hands its message
    /// back instead of queueing it where no ack will ever come.
    pub(crate) fn end(&self) {
        self.ended.store(true, Ordering::Release);
        self.outbox.close(); // a push waiting for room is handed its message back at once
        if let Some(own) = &self.own {
            drop(lock(&own.deliver).take()); // the stream ends once its connections are gone
        }
    }

    /// Notes the close the application ends the session with (before it is removed).
    pub(crate) fn say_farewell(&self, frame: CloseFrame) {
        lock(&self.control.attachment).farewell = Some(Box::new(frame));
    }

    /// The close the application ended the session with, if it did. (A connection whose
    /// session moved to another node is cancelled without one: 4003, at once.)
    pub(crate) fn farewell(&self) -> Option<CloseFrame> {
        lock(&self.control.attachment).farewell.as_deref().cloned()
    }

    /// Whether the session ended for good: one atomic load, no map lookup.
    pub(crate) fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Attaches a new connection: the previous one (if any) is told to stop. Returns the
    /// new connection's token and generation; for a stored session another node has taken,
    /// a token stopped already.
    pub(crate) fn attach(self: &Arc<Self>) -> (LinkToken, u32) {
        let mut attachment = lock(&self.control.attachment);
        let (generation, running) = attachment.links.next_link();
        attachment.detached_at = None;
        drop(attachment);
        running.into_iter().for_each(std::task::Waker::wake);
        let stops: Arc<dyn Stops> = Arc::clone(self) as Arc<dyn Stops>;
        (LinkToken::of(stops, generation), generation)
    }

    /// Detaches connection `generation` if it is still the attached one: starts the resume
    /// window. Returns whether it was.
    pub(crate) fn detach(&self, generation: u32) -> bool {
        let mut attachment = lock(&self.control.attachment);
        let current = attachment.links.generation() == generation && attachment.attached();
        if current {
            attachment.detached_at = Some(Instant::now());
            lock(&self.guard).connection_lost(Instant::now());
        }
        current
    }

    /// Whether connection `generation` was the last one and nothing attached since.
    pub(crate) fn still_detached(&self, generation: u32) -> bool {
        let attachment = lock(&self.control.attachment);
        attachment.links.generation() == generation && !attachment.attached()
    }

    /// Whether a connection is attached now.
    pub(crate) fn is_attached(&self) -> bool {
        lock(&self.control.attachment).attached()
    }

    /// What the session lends a new connection's link; `shared` is the server's delivery
    /// channel, used unless the session has its own.
    pub(crate) fn link_parts(&self, shared: &DeliverTx) -> crate::session_link::SessionParts {
        let deliver = self.deliver_via(shared);
        let parts = crate::session_link::SessionParts::new(
            self.id,
            self.outbox.clone(),
            Arc::clone(&self.inbound),
            deliver,
        );
        parts.noting(self.write_ahead())
    }

    /// Since when the session has no connection, if it had one and it detached.
    pub(crate) fn detached_since(&self) -> Option<Instant> {
        lock(&self.control.attachment).detached_at
    }

    /// Stops the attached connection, if any.
    pub(crate) fn cancel(&self) {
        let mut attachment = lock(&self.control.attachment);
        let generation = attachment.links.generation();
        let running = attachment.links.stop(generation);
        drop(attachment);
        running.into_iter().for_each(std::task::Waker::wake);
    }
}

/// The outbox of a session opened as `opening`: ack-confirmed while it can resume, held
/// for the store's writes when the server keeps it in one.
fn outbox_for(
    opening: &Opening,
    config: &super::ServerConfig,
    base: &OutboxBase,
) -> Outbox<Stored> {
    let held = opening.resumable && config.sessions.store.is_some();
    let confirmation = if opening.resumable { Confirmation::Ack } else { Confirmation::Flush };
    base.outbox_with(confirmation, &config.limits, held)
}

/// A delivery channel whose receiver is gone: what it is sent is refused (and counted).
fn closed_delivery() -> DeliverTx {
    crate::session_link::delivery_channel(1).0
}

mod stored;

impl Stops for SessionState {
    fn with_mark(&self, change: &mut dyn FnMut(&mut StopMark)) {
        change(&mut lock(&self.control.attachment).links);
    }
}
