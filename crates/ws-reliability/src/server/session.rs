//! [`SessionState`]: what the server keeps for one client across its connections: the outbox,
//! the receive state, the resume guard and the connection currently attached.

use crate::link::{lock, DeliverRx, DeliverTx, Inbound, OutboxBase, Stored};
use crate::protocol::{InOrder, Mode, ProtocolError, ResumeGuard, SessionId, SessionLostReason};
use crate::rollout::Fix;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_util::sync::CancellationToken;
use ws_batch::{ByteMeter, Confirmation, Outbox};

/// The hasher of the session map: std's randomly keyed one; under the `simulation` feature a
/// fixed one, so that a simulated run visits sessions in the same order every time.
#[cfg(not(feature = "simulation"))]
type MapHasher = std::collections::hash_map::RandomState;
/// The hasher of the session map: fixed under the `simulation` feature.
#[cfg(feature = "simulation")]
type MapHasher = std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

/// The connection attached to a session, if any, and how many attached so far.
#[derive(Debug, Default)]
struct Attachment {
    cancel: Option<CancellationToken>,
    generation: u64,
    /// When the last connection detached, while none is attached.
    detached_at: Option<Instant>,
}

/// Who runs the session: the attached connection, and the lock it holds while it runs.
#[derive(Debug, Default)]
struct Control {
    attachment: Mutex<Attachment>,
    /// Held by the connection that runs the session, so a resume waits for the old one.
    serial: tokio::sync::Mutex<()>,
    /// The highest sequence number ever queued for the client.
    pushed: AtomicU64,
    /// Set once the session is removed for good (closed or expired): never acked again.
    ended: AtomicBool,
    /// The close the application ended the session with, for its connection.
    farewell: Mutex<Option<CloseFrame>>,
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
        let guard = Mutex::new(ResumeGuard::new(config.limits.resume_window)?);
        let confirmation = if resumable { Confirmation::Ack } else { Confirmation::Flush };
        let outbox = base.outbox_with(confirmation, &config.limits);
        let inbound = Arc::new(Mutex::new(InOrder::new()));
        let control = Control::default();
        Ok(Self { id, mode, resumable, outbox, inbound, guard, identity, control, own: None })
    }

    /// The session with its own delivery channel of `buffer` messages
    /// ([`IncomingMode::PerSession`](super::IncomingMode)).
    pub(crate) fn with_own_incoming(self, buffer: usize) -> Self {
        let (deliver, incoming) = crate::link::delivery_channel(buffer);
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

    /// Notes the sequence number of a message just pushed.
    pub(crate) fn pushed(&self, seq: u64) {
        self.control.pushed.fetch_max(seq, Ordering::Relaxed);
    }

    /// The highest sequence number ever queued for the client.
    pub(crate) fn last_pushed(&self) -> u64 {
        self.control.pushed.load(Ordering::Relaxed)
    }

    /// Marks the session ended for good (removed: closed or expired). A
    /// [`SessionSink`](super::SessionSink) or a waiting `send_wait` then hands its message
    /// back instead of queueing it where no ack will ever come.
    pub(crate) fn end(&self) {
        self.control.ended.store(true, Ordering::Release);
        self.outbox.close(); // a push waiting for room is handed its message back at once
        if let Some(own) = &self.own {
            drop(lock(&own.deliver).take()); // the stream ends once its connections are gone
        }
    }

    /// Notes the close the application ends the session with (before it is removed).
    pub(crate) fn say_farewell(&self, frame: CloseFrame) {
        *lock(&self.control.farewell) = Some(frame);
    }

    /// The close the application ended the session with, if it did.
    pub(crate) fn farewell(&self) -> Option<CloseFrame> {
        lock(&self.control.farewell).clone()
    }

    /// Whether the session ended for good: one atomic load, no map lookup.
    pub(crate) fn has_ended(&self) -> bool {
        self.control.ended.load(Ordering::Acquire)
    }

    /// Attaches a new connection: the previous one (if any) is told to stop. Returns the
    /// new connection's cancel token and generation.
    pub(crate) fn attach(&self) -> (CancellationToken, u64) {
        let mut attachment = lock(&self.control.attachment);
        let token = CancellationToken::new();
        if let Some(previous) = attachment.cancel.replace(token.clone()) {
            previous.cancel();
        }
        attachment.generation += 1;
        attachment.detached_at = None;
        (token, attachment.generation)
    }

    /// Detaches connection `generation` if it is still the attached one: starts the resume
    /// window. Returns whether it was.
    pub(crate) fn detach(&self, generation: u64) -> bool {
        let mut attachment = lock(&self.control.attachment);
        let current = attachment.generation == generation && attachment.cancel.is_some();
        if current {
            attachment.cancel = None;
            attachment.detached_at = Some(Instant::now());
            lock(&self.guard).connection_lost(Instant::now());
        }
        current
    }

    /// Whether connection `generation` was the last one and nothing attached since.
    pub(crate) fn still_detached(&self, generation: u64) -> bool {
        let attachment = lock(&self.control.attachment);
        attachment.generation == generation && attachment.cancel.is_none()
    }

    /// Since when the session has no connection, if it had one and it detached.
    pub(crate) fn detached_since(&self) -> Option<Instant> {
        lock(&self.control.attachment).detached_at
    }

    /// Stops the attached connection, if any.
    pub(crate) fn cancel(&self) {
        if let Some(token) = &lock(&self.control.attachment).cancel {
            token.cancel();
        }
    }
}

/// A delivery channel whose receiver is gone: what it is sent is refused (and counted).
fn closed_delivery() -> DeliverTx {
    crate::link::delivery_channel(1).0
}

/// How many expired session ids are remembered, to answer "expired" rather than "unknown".
const REMEMBERED_EXPIRED: usize = 4096;

/// Every live session, by id, the ids that expired last, and the bytes their outboxes hold.
#[derive(Debug)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<SessionId, Arc<SessionState>, MapHasher>>,
    expired: Mutex<VecDeque<SessionId>>,
    /// Every session outbox counts its bytes here (`ws_reliability_outbox_bytes`).
    meter: ByteMeter,
}

impl Default for Sessions {
    fn default() -> Self {
        let meter = ByteMeter::with_gauge(crate::metrics::outbox_bytes());
        Sessions { map: Mutex::default(), expired: Mutex::default(), meter }
    }
}

impl Sessions {
    /// The meter every session outbox of the server counts its bytes into.
    pub(crate) fn meter(&self) -> ByteMeter {
        self.meter.clone()
    }

    /// The bytes every session outbox holds now.
    pub(crate) fn outbox_bytes(&self) -> usize {
        self.meter.bytes()
    }

    /// The session detached longest ago; with `holding`, only among those whose outbox
    /// holds messages. A walk over every session: for the budget's pressure path only.
    pub(crate) fn oldest_detached(&self, holding: bool) -> Option<Arc<SessionState>> {
        let map = lock(&self.map);
        let detached = map.values().filter(|session| session.detached_since().is_some());
        let held = detached.filter(|session| !holding || !session.outbox.stats().is_empty());
        held.min_by_key(|session| session.detached_since()).cloned()
    }

    /// Remembers that `id` expired (a bounded memory: the oldest are forgotten).
    pub(crate) fn bury(&self, id: SessionId) {
        let mut expired = lock(&self.expired);
        expired.push_front(id);
        expired.truncate(REMEMBERED_EXPIRED);
    }

    /// Why a resume of an id that is not live fails: expired (remembered) or unknown.
    pub(crate) fn missing(&self, id: &SessionId) -> SessionLostReason {
        if lock(&self.expired).contains(id) {
            return SessionLostReason::Expired;
        }
        SessionLostReason::UnknownSession
    }

    pub(crate) fn insert(&self, session: Arc<SessionState>) {
        let mut map = lock(&self.map);
        map.insert(session.id, session);
        crate::metrics::sessions(map.len());
    }

    pub(crate) fn get(&self, id: &SessionId) -> Option<Arc<SessionState>> {
        lock(&self.map).get(id).cloned()
    }

    pub(crate) fn remove(&self, id: &SessionId) -> Option<Arc<SessionState>> {
        let mut map = lock(&self.map);
        let removed = map.remove(id);
        crate::metrics::sessions(map.len());
        removed
    }

    pub(crate) fn ids(&self) -> Vec<SessionId> {
        lock(&self.map).keys().copied().collect()
    }

    #[cfg(feature = "monitor")]
    pub(crate) fn all(&self) -> Vec<Arc<SessionState>> {
        lock(&self.map).values().cloned().collect()
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.map).len()
    }
}
