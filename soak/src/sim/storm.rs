//! The storm: every [`FAULT_EVERY`] of simulated time, a fault on one client host's link to
//! the server, or a slow consumer. Partitions are short (the link comes back before anyone
//! notices), long enough for the heartbeats to find the half-open connections, or longer
//! than the resume window (the sessions expire: SESSION_LOST). Holds delay every packet on
//! the link, then deliver them at once. A fault ends before the next one on the same host.

use super::world::World;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often a fault starts.
pub const FAULT_EVERY: Duration = Duration::from_secs(5);
/// Separates the storm's seed from the run's seed.
const STORM_SEED: u64 = 0x0057_0A3D;

/// Faults started, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Faults {
    /// Partitions under 30 s.
    pub short_partitions: u64,
    /// Partitions of 30 to 100 s: the heartbeats find the connections dead.
    pub partitions: u64,
    /// Partitions of 130 to 200 s: longer than the 120 s resume window.
    pub long_partitions: u64,
    /// Links held (every packet delayed) for 1 to 20 s.
    pub holds: u64,
    /// Clients that stopped reading for 1 to 60 s.
    pub slow_consumers: u64,
}

impl Faults {
    /// Every fault started.
    pub fn total(&self) -> u64 {
        self.short_partitions
            + self.partitions
            + self.long_partitions
            + self.holds
            + self.slow_consumers
    }
}

impl Faults {
    /// Counts one fault on a link.
    fn count(&mut self, fault: LinkFault) {
        *match fault {
            LinkFault::ShortPartition => &mut self.short_partitions,
            LinkFault::Partition => &mut self.partitions,
            LinkFault::LongPartition => &mut self.long_partitions,
            LinkFault::Hold => &mut self.holds,
        } += 1;
    }
}

/// A fault on a client host's link to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkFault {
    ShortPartition,
    Partition,
    LongPartition,
    Hold,
}

impl LinkFault {
    /// The fault a roll of 40 to 99 picks: 20% short partitions, 10% partitions, 5% long
    /// ones, 25% holds (the other 40% are slow consumers).
    fn of(roll: u32) -> LinkFault {
        match roll {
            40..=59 => LinkFault::ShortPartition,
            60..=69 => LinkFault::Partition,
            70..=74 => LinkFault::LongPartition,
            _ => LinkFault::Hold,
        }
    }

    /// How long it lasts, seconds, drawn from `rng`.
    fn seconds(self, rng: &mut fastrand::Rng) -> u64 {
        match self {
            LinkFault::ShortPartition => rng.u64(1..30),
            LinkFault::Partition => rng.u64(30..=100),
            LinkFault::LongPartition => rng.u64(130..=200),
            LinkFault::Hold => rng.u64(1..=20),
        }
    }

    /// Starts it on `host`'s link to the server (`cut`: whether the host's connects fail).
    fn start(self, host: &str, cut: &AtomicBool) {
        if self == LinkFault::Hold {
            turmoil::hold(host, "server");
        } else {
            cut.store(true, Ordering::Relaxed);
            turmoil::partition(host, "server");
        }
    }

    /// Ends it: held packets are delivered; a partition's were dropped.
    fn end(self, host: &str, cut: &AtomicBool) {
        cut.store(false, Ordering::Relaxed);
        if self == LinkFault::Hold {
            turmoil::release(host, "server");
        } else {
            turmoil::repair(host, "server");
        }
    }
}

/// A fault in force on one host's link, and the second it ends.
#[derive(Debug, Clone, Copy)]
struct Active {
    fault: LinkFault,
    ends_at: u64,
}

/// The storm's state: its coin, the client hosts and their faults in force.
#[derive(Debug)]
pub struct Storm {
    rng: fastrand::Rng,
    hosts: Vec<String>,
    active: Vec<Option<Active>>,
    /// Faults started so far.
    pub faults: Faults,
}

impl Storm {
    /// A storm over the links of `hosts` to the server, seeded from the run's seed.
    pub fn new(seed: u64, hosts: Vec<String>) -> Storm {
        let active = vec![None; hosts.len()];
        let rng = fastrand::Rng::with_seed(seed ^ STORM_SEED);
        Storm { rng, hosts, active, faults: Faults::default() }
    }

    /// Second `second` of the run: ends the faults due, starts one every [`FAULT_EVERY`].
    pub fn step(&mut self, second: u64, world: &World) {
        (0..self.hosts.len()).for_each(|host| self.end_if_due(host, second, world));
        if second % FAULT_EVERY.as_secs() == 0 {
            self.strike(second, world);
        }
    }

    /// Ends every fault in force.
    pub fn calm(&mut self, world: &World) {
        (0..self.hosts.len()).for_each(|host| self.end_if_due(host, u64::MAX, world));
    }

    fn end_if_due(&mut self, host: usize, second: u64, world: &World) {
        let due = self.active[host].filter(|active| active.ends_at <= second);
        if let Some(active) = due {
            active.fault.end(&self.hosts[host], &world.cut[host]);
            self.active[host] = None;
        }
    }

    /// Starts one fault: a slow consumer, or one on a host whose link is clear.
    fn strike(&mut self, second: u64, world: &World) {
        let host = self.rng.usize(..self.hosts.len());
        let roll = self.rng.u32(..100);
        if roll < 40 || self.active[host].is_some() {
            return self.slow_consumer(world);
        }
        self.link_fault(host, LinkFault::of(roll), second, world);
    }

    /// Starts `fault` on host `host`'s link at second `second`.
    fn link_fault(&mut self, host: usize, fault: LinkFault, second: u64, world: &World) {
        fault.start(&self.hosts[host], &world.cut[host]);
        self.faults.count(fault);
        let ends_at = second + fault.seconds(&mut self.rng);
        self.active[host] = Some(Active { fault, ends_at });
    }

    /// Makes a random client stop reading for 1 to 60 s at its next message.
    fn slow_consumer(&mut self, world: &World) {
        let client = self.rng.usize(..world.clients.len());
        let pause = self.rng.u64(1_000..=60_000);
        world.clients[client].slow_ms.store(pause, Ordering::Relaxed);
        self.faults.slow_consumers += 1;
    }
}
