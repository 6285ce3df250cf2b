//! The figures sampled at the end of each simulated hour, and the check that the live heap
//! does not grow from hour to hour.

use super::world::{get, World};
use serde::Serialize;
use std::sync::atomic::Ordering;

/// The heap as the binary's counting allocator sees it (zero in the library's tests, which
/// install none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Heap {
    /// Bytes allocated and not freed.
    pub live_bytes: u64,
    /// Allocations since the process started.
    pub allocations: u64,
}

/// Reads the counting allocator.
pub type HeapProbe = fn() -> Heap;

/// The heap as the simulation changed it: the probe's figures less those at its start
/// (what the process did before, such as reading its environment, differs between
/// launches and is left out).
#[derive(Debug, Clone, Copy)]
pub struct Meter {
    probe: HeapProbe,
    baseline: Heap,
}

impl Meter {
    /// A meter counting from now.
    pub fn start(probe: HeapProbe) -> Meter {
        Meter { probe, baseline: probe() }
    }

    /// The live bytes and allocations since the start.
    pub fn read(&self) -> Heap {
        let now = (self.probe)();
        let live_bytes = now.live_bytes.saturating_sub(self.baseline.live_bytes);
        Heap { live_bytes, allocations: now.allocations - self.baseline.allocations }
    }
}

/// Messages so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Traffic {
    /// Accepted by the server.
    pub sent: u64,
    /// Delivered.
    pub delivered: u64,
}

/// Connections at an hour's end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Connected {
    /// Clients connected.
    #[serde(rename = "clients_connected")]
    pub clients: usize,
    /// Connections the server's registry held.
    #[serde(rename = "server_connections")]
    pub server: usize,
}

/// One simulated hour's end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hour {
    /// Hours simulated.
    pub hour: u64,
    /// The heap then.
    #[serde(flatten)]
    pub heap: Heap,
    /// Messages so far.
    #[serde(flatten)]
    pub traffic: Traffic,
    /// Connections then.
    #[serde(flatten)]
    pub connected: Connected,
    /// Timers the probe saw fire so far.
    pub timers_fired: u64,
    /// The latest a timer fired this hour, microseconds after it was due.
    pub latest_timer_us: u64,
}

impl Hour {
    /// The figures at the end of hour `hour`.
    pub fn sample(hour: u64, world: &World, heap: &Meter) -> Hour {
        let tally = world.tally();
        let registry = world.server_view().map(|server| server.registry.len());
        let timers = &world.timers;
        let latest_timer_us = timers.hour_late_us.swap(0, Ordering::Relaxed);
        let connected = Connected { clients: world.connected(), server: registry.unwrap_or(0) };
        let traffic = Traffic { sent: tally.sent, delivered: tally.delivered };
        let timers_fired = get(&timers.fired);
        Hour { hour, heap: heap.read(), traffic, connected, timers_fired, latest_timer_us }
    }
}

/// The live heap and the clients connected at an instant: at the end of a simulated minute,
/// or at a quiet instant ([`super::lull`]), what the heap trends are fitted on
/// ([`super::trend`]). At an arbitrary minute the heap swings by ~900 KB with what is in
/// flight, and 23 hourly points of it left the fit's standard error at ~31 KB/h, above
/// the goal it checks; the quiet instants hold no such swing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sample {
    /// Simulated seconds of sending since the start (the quiet instants' pauses left out).
    pub seconds: u64,
    /// Clients connected then.
    pub clients: usize,
    /// Live heap bytes then.
    pub live_bytes: u64,
}

impl Sample {
    /// The sample at second `seconds`.
    pub fn take(seconds: u64, world: &World, heap: &Meter) -> Sample {
        Sample { seconds, clients: world.connected(), live_bytes: heap.read().live_bytes }
    }
}

/// The mean live heap over `hours`, bytes.
pub fn mean_heap(hours: &[Hour]) -> f64 {
    let total: f64 = hours.iter().map(|hour| hour.heap.live_bytes as f64).sum();
    total / (hours.len().max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_heap_is_over_the_hours() {
        let hour =
            |live_bytes| Hour { heap: Heap { live_bytes, allocations: 0 }, ..Hour::default() };
        assert_eq!(mean_heap(&[hour(1000), hour(3000)]), 2000.0);
        assert_eq!(mean_heap(&[]), 0.0);
    }
}
