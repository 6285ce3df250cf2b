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
        let registry = world.server.get().map(|server| server.registry.len());
        let timers = &world.timers;
        let latest_timer_us = timers.hour_late_us.swap(0, Ordering::Relaxed);
        let connected = Connected { clients: world.connected(), server: registry.unwrap_or(0) };
        let traffic = Traffic { sent: tally.sent, delivered: tally.delivered };
        let timers_fired = get(&timers.fired);
        Hour { hour, heap: heap.read(), traffic, connected, timers_fired, latest_timer_us }
    }
}

/// The live heap's growth per hour: the least-squares slope over the hours after the
/// first (the warm-up), bytes; `None` for fewer than three hours (no trend to see).
pub fn heap_growth_per_hour(hours: &[Hour]) -> Option<f64> {
    let warm = hours.get(1..).filter(|warm| warm.len() >= 2)?;
    let points: Vec<(f64, f64)> =
        warm.iter().map(|hour| (hour.hour as f64, hour.heap.live_bytes as f64)).collect();
    Some(slope(&points))
}

/// The least-squares slope of `points` (0 for fewer than two).
fn slope(points: &[(f64, f64)]) -> f64 {
    let count = (points.len() as f64).max(1.0);
    let mean_x = points.iter().map(|point| point.0).sum::<f64>() / count;
    let mean_y = points.iter().map(|point| point.1).sum::<f64>() / count;
    let covariance: f64 = points.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    // no spread in x (fewer than two hours): no slope
    Some(covariance / variance).filter(|slope| slope.is_finite()).unwrap_or(0.0)
}

/// The mean live heap over `hours`, bytes.
pub fn mean_heap(hours: &[Hour]) -> f64 {
    let total: f64 = hours.iter().map(|hour| hour.heap.live_bytes as f64).sum();
    total / (hours.len().max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(live: &[u64]) -> Vec<Hour> {
        let hour = |(index, bytes): (usize, &u64)| Hour {
            hour: index as u64 + 1,
            heap: Heap { live_bytes: *bytes, allocations: 0 },
            ..Hour::default()
        };
        live.iter().enumerate().map(hour).collect()
    }

    #[test]
    fn a_steady_heap_has_no_slope_and_a_leak_has_one() {
        assert_eq!(heap_growth_per_hour(&hours(&[900, 1000, 1000, 1000])), Some(0.0));
        assert_eq!(heap_growth_per_hour(&hours(&[5000, 1000, 1100, 1200])), Some(100.0));
        assert_eq!(heap_growth_per_hour(&hours(&[1000, 2000])), None, "a warm-up and one hour");
        assert_eq!(mean_heap(&hours(&[1000, 3000])), 2000.0);
    }
}
