//! The connection registry: admission under limits, lookup, and the per-connection handle.

mod admission;
mod lifecycle;
mod maintenance;
mod slots;
mod sweep;

pub use admission::{Admission, ConnHandle};
pub use maintenance::{Maintenance, ShutdownReport};
pub use sweep::{HeartbeatReport, SweepReport};

use crate::address::{AddressSlot, AddressTable};
use crate::entry::Entry;
use crate::rate::AcceptRate;
use crate::{metrics, Activity, CloseCode, ConnConfig, ConnError, ConnEvent, ConnId, ConnState};
use crate::{Connection, ForceCause, Refusal};
use crate::{Handshakes, Limits};
use slots::{IdSource, Slots};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::broadcast;
use tokio::task::AbortHandle;
use tokio::time::Instant;

/// Every live connection, keyed by [`ConnId`]. Cheap to clone: clones share one registry.
///
/// See the [crate docs](crate) for the lifecycle; every connection leaves it with exactly
/// one [`ConnEvent::Closed`] or [`ConnEvent::ForceClosed`].
#[derive(Debug, Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

/// What a new socket passes before it holds a slot: the upgrade's limits, the limits of
/// its address, the accept rate.
#[derive(Debug)]
struct Gates {
    rate: AcceptRate,
    handshakes: Handshakes,
    addresses: Arc<AddressTable>,
}

impl Gates {
    fn new(limits: &Limits) -> Self {
        let rate = AcceptRate::new(limits.accept_burst, limits.accept_per_second);
        let addresses = Arc::new(AddressTable::new(&limits.per_address));
        Gates { rate, handshakes: Handshakes::new(limits.handshake.clone()), addresses }
    }
}

#[derive(Debug)]
struct Inner {
    config: ConnConfig,
    entries: Mutex<HashMap<ConnId, Arc<Entry>, crate::MapHasher>>,
    /// Admitted connections (registered, or holding an [`Admission`]), and the door a
    /// shutdown closes.
    slots: Slots,
    ids: IdSource,
    gates: Gates,
    events: broadcast::Sender<ConnEvent>,
    epoch: Instant,
}

impl Registry {
    /// An empty registry.
    pub fn new(config: ConnConfig) -> Self {
        let gates = Gates::new(&config.limits);
        let events = broadcast::channel(config.event_capacity.max(1)).0;
        let entries = Mutex::default();
        let slots = Slots::default();
        let ids = IdSource::default();
        let epoch = Instant::now();
        let inner = Inner { config, entries, slots, ids, gates, events, epoch };
        Registry { inner: Arc::new(inner) }
    }

    /// The configuration.
    pub fn config(&self) -> &ConnConfig {
        &self.inner.config
    }

    /// The HTTP upgrades in progress, under [`Limits::handshake`]: run each server-side
    /// upgrade through [`Handshakes::run`].
    pub fn handshakes(&self) -> &Handshakes {
        &self.inner.gates.handshakes
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ConnEvent> {
        self.inner.events.subscribe()
    }

    /// Reserves room for one connection, or refuses it (limit, accept rate, shutdown) with
    /// the close code to send. Check this before doing work for a new socket. Applies no
    /// per-address limit: use [`Registry::admit_from`] when the client's address is known.
    pub fn admit(&self) -> Result<Admission, ConnError> {
        self.check_open()?;
        self.admit_with(None)
    }

    /// Like [`Registry::admit`] for a client at `addr` (the socket's peer, or the client
    /// named by a trusted proxy: [`TrustedProxies::client`](crate::TrustedProxies::client)):
    /// first under [`Limits::per_address`], so an address over its own limits is refused
    /// without taking from the global accept rate; the address's connection is given back
    /// when the admission, or the connection it registers, is gone.
    pub fn admit_from(&self, addr: IpAddr) -> Result<Admission, ConnError> {
        self.check_open()?;
        let code = self.inner.config.limits.refusal_code;
        let address = self.inner.gates.addresses.admit(addr).map_err(|why| refuse(why, code))?;
        self.admit_with(Some(address))
    }

    /// Takes a slot under the limit and the accept rate; `address` is given back on refusal.
    fn admit_with(&self, address: Option<AddressSlot>) -> Result<Admission, ConnError> {
        self.take_slot()?;
        let admission = Admission::new(self.clone(), address);
        self.check_rate()?;
        Ok(admission)
    }

    /// How many client addresses are tracked for their limits (the gauge
    /// `ws_conn_addresses_tracked`).
    pub fn addresses_tracked(&self) -> usize {
        self.inner.gates.addresses.len()
    }

    /// Forgets every address that holds no connection and whose rate bucket is full again;
    /// how many. The background sweeper calls it every sweep interval.
    pub fn prune_addresses(&self) -> usize {
        self.inner.gates.addresses.prune()
    }

    /// Admits and registers `conn` in one step; see [`Registry::admit`].
    pub fn register(&self, conn: impl Connection) -> Result<ConnHandle, ConnError> {
        Ok(self.admit()?.register(conn))
    }

    fn check_open(&self) -> Result<(), ConnError> {
        let open = !self.inner.slots.is_closed();
        open.then_some(()).ok_or_else(|| refuse(Refusal::ShuttingDown, CloseCode::GOING_AWAY))
    }

    fn take_slot(&self) -> Result<(), ConnError> {
        let limits = &self.inner.config.limits;
        let taken = self.inner.slots.take(limits.max_connections);
        taken.then_some(()).ok_or_else(|| refuse(Refusal::Limit, limits.refusal_code))
    }

    fn check_rate(&self) -> Result<(), ConnError> {
        let granted = self.inner.gates.rate.try_take();
        granted
            .then_some(())
            .ok_or_else(|| refuse(Refusal::Rate, self.inner.config.limits.refusal_code))
    }

    /// The state of `id`, or `None` once it left the registry.
    pub fn state(&self, id: ConnId) -> Option<ConnState> {
        self.entries().get(&id).map(|entry| entry.state())
    }

    /// How many connections are registered.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether no connection is registered: after every close, sweep or shutdown settles,
    /// nothing is left behind.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// How many admissions are held without a registered connection: sockets admitted
    /// and still in their application's handshake (a wsr.v1 server's wait for HELLO). Also
    /// the gauge `ws_conn_admissions_pending`.
    pub fn pending(&self) -> usize {
        let registered = self.len();
        self.inner.slots.held().saturating_sub(registered)
    }

    /// How many connections are in `state`.
    pub fn count(&self, state: ConnState) -> usize {
        self.entries().values().filter(|entry| entry.state() == state).count()
    }

    /// Marks a sign of life of `id` by lookup; the owner of the read half should rather
    /// keep [`ConnHandle::activity`] and call [`Activity::record`] (no lock).
    pub fn record_activity(&self, id: ConnId) -> Result<(), ConnError> {
        self.entry(id).map(|entry| entry.activity.record())
    }

    /// Ties a task (a reader, a writer) to `id`: a force-close aborts it. If `id` is gone,
    /// the task is aborted at once and `NotFound` returned.
    pub fn track_task(&self, id: ConnId, task: AbortHandle) -> Result<(), ConnError> {
        let entry = self.entry(id).inspect_err(|_| task.abort())?;
        entry.track(task);
        Ok(())
    }

    /// An estimate of the registry's own memory per connection, in bytes: the map slot,
    /// the shared entry and its liveness record (not the transport behind it).
    pub fn state_bytes_per_connection() -> usize {
        let slot = std::mem::size_of::<(ConnId, Arc<Entry>)>() + 1;
        let arc_counts = 2 * std::mem::size_of::<usize>();
        let activity = arc_counts + std::mem::size_of::<(Instant, u64)>();
        slot + arc_counts + std::mem::size_of::<Entry>() + activity
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<ConnId, Arc<Entry>, crate::MapHasher>> {
        self.inner.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn entry(&self, id: ConnId) -> Result<Arc<Entry>, ConnError> {
        self.entries().get(&id).cloned().ok_or(ConnError::NotFound { id })
    }

    fn emit(&self, event: ConnEvent) {
        // No subscriber is fine: every event is also counted in a metric.
        let _ = self.inner.events.send(event);
    }

    /// Registers `conn` as `Active`; one admitted before a shutdown and registered after it
    /// began is force-closed at once, so a shutdown leaves no connection behind.
    fn insert(
        &self,
        activity: Activity,
        conn: Box<dyn Connection>,
        address: Option<AddressSlot>,
    ) -> ConnHandle {
        let id = self.inner.ids.next();
        let entry = Arc::new(Entry::new(id, activity.clone(), conn, address));
        if self.enter(&entry) {
            // Only a racing closer can win, and it removes the connection just the same.
            let _removed_either_way = self.force(&entry, ForceCause::Shutdown);
        }
        ConnHandle { id, activity }
    }

    /// Puts `entry` in the map and announces it; `true` when a shutdown has begun. The flag
    /// is read under the map lock, so a shutdown's final sweep either sees the entry or the
    /// entry sees the flag.
    fn enter(&self, entry: &Arc<Entry>) -> bool {
        let mut entries = self.entries();
        entries.insert(entry.id, Arc::clone(entry));
        self.emit(ConnEvent::Opened { id: entry.id }); // under the lock: before its other events
        let late = self.inner.slots.is_closed();
        drop(entries);
        metrics::opened();
        late
    }

    /// `from → Closed` and out of the map in one step under the map lock, so no lookup
    /// ever finds a `Closed` connection; frees its slot and its address's connection.
    fn finalize(&self, entry: &Entry, from: ConnState) -> Result<(), ConnError> {
        let mut entries = self.entries();
        entry.transition_from(from, ConnState::Closed)?;
        entries.remove(&entry.id);
        drop(entries);
        self.inner.slots.give_back();
        entry.release_address();
        metrics::removed();
        Ok(())
    }
}

fn refuse(reason: Refusal, close_code: CloseCode) -> ConnError {
    metrics::refused(reason);
    ConnError::Refused { reason, close_code }
}
