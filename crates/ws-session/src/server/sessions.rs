//! [`Sessions`]: every live session of a server by id, the ids that expired last, and the
//! bytes their outboxes hold.

use super::config::SessionsConfig;
use super::durable::Journal;
use super::session::SessionState;
use crate::protocol::{SessionId, SessionLostReason};
use crate::session_link::{lock, OutboxBase};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use ws_batch::ByteMeter;

/// The hasher of the session map: std's randomly keyed one; under the `simulation` feature a
/// fixed one, so that a simulated run visits sessions in the same order every time.
#[cfg(not(feature = "simulation"))]
type MapHasher = std::collections::hash_map::RandomState;
/// The hasher of the session map: fixed under the `simulation` feature.
#[cfg(feature = "simulation")]
type MapHasher = std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

/// How many expired session ids are remembered, to answer "expired" rather than "unknown".
const REMEMBERED_EXPIRED: usize = 4096;

/// Every live session, by id, the ids that expired last, and the bytes their outboxes hold.
#[derive(Debug)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<SessionId, Arc<SessionState>, MapHasher>>,
    expired: Mutex<VecDeque<SessionId>>,
    /// Every session outbox counts its bytes here (`ws_reliability_outbox_bytes`).
    meter: ByteMeter,
    /// What every session's outbox is built from: the configured outbox, counted by `meter`.
    outbox_base: OutboxBase,
    /// Writes the sessions to the store, when the server keeps them in one.
    journal: Option<Journal>,
}

impl Sessions {
    /// No session yet; their outboxes as `config.outbox` says, counted together, and with
    /// `config.store`, each resumable session written there.
    pub(crate) fn new(config: &SessionsConfig) -> Self {
        let meter = ByteMeter::with_gauge(crate::metrics::outbox_bytes());
        let outbox_base = OutboxBase::new(config.outbox.clone().with_byte_meter(meter.clone()));
        let journal = config.store.clone().map(Journal::new);
        let expired = Mutex::default();
        Sessions { map: Mutex::default(), expired, meter, outbox_base, journal }
    }

    /// The journal writing the sessions to the store, if the server keeps one.
    pub(crate) fn journal(&self) -> Option<&Journal> {
        self.journal.as_ref()
    }

    /// What every session's outbox is built from.
    pub(crate) fn outbox_base(&self) -> &OutboxBase {
        &self.outbox_base
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

    pub(crate) fn all(&self) -> Vec<Arc<SessionState>> {
        lock(&self.map).values().cloned().collect()
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.map).len()
    }
}
