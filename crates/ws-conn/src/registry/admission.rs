//! What an admission holds until its connection registers, and the registered handle.

use super::Registry;
use crate::address::AddressSlot;
use crate::{metrics, Activity, ConnId, Connection};

/// Room for one connection, reserved by [`Registry::admit`] or [`Registry::admit_from`];
/// dropping it frees the room (and the address's connection).
#[derive(Debug)]
#[must_use = "an admission holds a slot until it registers a connection or is dropped"]
pub struct Admission {
    registry: Registry,
    activity: Activity,
    holds_slot: bool,
    /// The connection of the client's address, if admitted by address.
    address: Option<AddressSlot>,
}

impl Admission {
    pub(super) fn new(registry: Registry, address: Option<AddressSlot>) -> Self {
        metrics::admission_pending(1.0);
        Admission { registry, activity: Activity::new(), holds_slot: true, address }
    }

    /// The liveness record the connection will have: hand it to the read half (e.g.
    /// [`tungstenite::split`](crate::tungstenite::split)) before registering.
    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// Registers `conn` as `Active` under a fresh id. If a shutdown began since the
    /// admission, `conn` is force-closed at once (a
    /// [`ConnEvent::ForceClosed`](crate::ConnEvent::ForceClosed) with cause `Shutdown`) and
    /// the id is already gone from the registry.
    pub fn register(mut self, conn: impl Connection) -> ConnHandle {
        self.holds_slot = false;
        metrics::admission_pending(-1.0);
        self.registry.insert(self.activity.clone(), Box::new(conn), self.address.take())
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if self.holds_slot {
            self.registry.inner.slots.give_back();
            metrics::admission_pending(-1.0);
        }
    }
}

/// A registered connection's id and liveness record.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    pub(super) id: ConnId,
    pub(super) activity: Activity,
}

impl ConnHandle {
    /// The connection's id.
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// The connection's liveness record: call [`Activity::record`] on every inbound frame.
    pub fn activity(&self) -> &Activity {
        &self.activity
    }
}
