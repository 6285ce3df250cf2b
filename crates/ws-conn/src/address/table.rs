//! The bounded table of tracked addresses: each key's connection count and governor
//! limiter, evicted once it holds no connection and its bucket is full again.

use super::{AddressKey, AddressLimits};
use crate::rate::{quota, Limiter};
use crate::{metrics, Refusal};
use governor::Quota;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Every tracked address, at most `max_addresses` of them.
#[derive(Debug)]
pub(crate) struct AddressTable {
    max_connections: usize,
    max_addresses: usize,
    quota: Quota,
    /// How long an emptied bucket takes to fill (capped at a day).
    refill: Duration,
    table: Mutex<Table>,
}

#[derive(Debug)]
struct Table {
    entries: HashMap<AddressKey, Tracked, crate::MapHasher>,
    /// A full table found nothing to evict: it is not searched again before then.
    rescan_at: Instant,
}

/// One address: its connections and its rate bucket.
#[derive(Debug)]
struct Tracked {
    connections: usize,
    limiter: Limiter,
    /// The bucket is full again by then (the last admission plus a whole refill).
    full_at: Instant,
}

impl AddressTable {
    pub(crate) fn new(limits: &AddressLimits) -> Self {
        let table = Table { entries: HashMap::default(), rescan_at: Instant::now() };
        let quota = quota(limits.accept_burst, limits.accept_per_second);
        let refill = quota.burst_size_replenished_in().min(Duration::from_secs(86_400));
        let max_connections = limits.max_connections;
        let max_addresses = limits.max_addresses;
        AddressTable { max_connections, max_addresses, quota, refill, table: table.into() }
    }

    /// Takes one connection of `addr`'s key: under its connection limit and its rate, in
    /// a table with room for it.
    pub(crate) fn admit(self: &Arc<Self>, addr: IpAddr) -> Result<AddressSlot, Refusal> {
        let key = AddressKey::of(addr);
        let mut table = self.lock();
        self.make_room(&mut table, key)?;
        let tracked = table.entries.entry(key).or_insert_with(|| self.track());
        tracked.take(self.max_connections, self.refill)?;
        Ok(AddressSlot { table: Arc::clone(self), key })
    }

    /// How many addresses are tracked.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Drops every address that holds no connection and whose bucket is full; how many.
    pub(crate) fn prune(&self) -> usize {
        let mut table = self.lock();
        let before = table.entries.len();
        let now = Instant::now();
        table.entries.retain(|_, tracked| !tracked.idle(now));
        untracked(before - table.entries.len())
    }

    /// Room for `key`: it is tracked, the table has room, or an idle address is evicted.
    fn make_room(&self, table: &mut Table, key: AddressKey) -> Result<(), Refusal> {
        if table.entries.contains_key(&key) || table.entries.len() < self.max_addresses {
            return Ok(());
        }
        self.evict(table, Instant::now());
        let room = table.entries.len() < self.max_addresses;
        room.then_some(()).ok_or(Refusal::AddressTableFull)
    }

    /// Evicts idle addresses, unless a search came up empty less than an interval ago.
    fn evict(&self, table: &mut Table, now: Instant) {
        if now >= table.rescan_at {
            let before = table.entries.len();
            table.entries.retain(|_, tracked| !tracked.idle(now));
            untracked(before - table.entries.len());
            table.rescan_at = now + self.quota.replenish_interval().max(Duration::from_millis(1));
        }
    }

    fn track(&self) -> Tracked {
        metrics::addresses_tracked(1.0);
        let limiter = Limiter::direct_with_clock(self.quota, crate::clock::TokioClock);
        Tracked { connections: 0, limiter, full_at: Instant::now() }
    }

    /// Gives back one connection of `key`; an address left idle is dropped at once.
    fn release(&self, key: AddressKey) {
        let mut table = self.lock();
        let Some(tracked) = table.entries.get_mut(&key) else { return };
        tracked.connections = tracked.connections.saturating_sub(1);
        if tracked.idle(Instant::now()) {
            table.entries.remove(&key);
            untracked(1);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn untracked(count: usize) -> usize {
    metrics::addresses_tracked(-(count as f64));
    count
}

impl Tracked {
    /// One more connection, under `max` and the rate; `refill` is a whole bucket's refill.
    fn take(&mut self, max: usize, refill: Duration) -> Result<(), Refusal> {
        if self.connections >= max {
            return Err(Refusal::AddressLimit);
        }
        self.limiter.check().map_err(|_| Refusal::AddressRate)?;
        self.connections += 1;
        self.full_at = Instant::now() + refill;
        Ok(())
    }

    /// No connection and a full bucket: dropping it changes nothing.
    fn idle(&self, now: Instant) -> bool {
        self.connections == 0 && now >= self.full_at
    }
}

/// One connection of an address, held by an [`Admission`](crate::Admission) and then by
/// its registered connection; dropping it gives the connection back.
#[derive(Debug)]
pub(crate) struct AddressSlot {
    table: Arc<AddressTable>,
    key: AddressKey,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        self.table.release(self.key);
    }
}
