//! Where a fan-out phase spent its CPU: the server (this process) and the client processes,
//! in cores kept busy, beside what the clients measured ([`Measured`]). On one machine the
//! clients' CPU is taken from the server's cores, so a heavier client side slows the
//! server it measures.

use crate::crowd::Crowd;
use crate::latency::Percentiles;
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;

/// The CPU used so far, when a phase starts.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    at: Instant,
    server: Duration,
    clients: Duration,
}

impl CpuMark {
    /// Now, for this process and `crowd`'s processes.
    pub fn now(crowd: &Crowd) -> Self {
        CpuMark { at: Instant::now(), server: crate::cpu::used(), clients: crowd.cpu() }
    }
}

/// Cores kept busy on average since a [`CpuMark`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Cores {
    /// By the server process.
    pub server_cores: f64,
    /// By the client processes.
    pub clients_cores: f64,
}

impl Cores {
    /// Since `mark`, for this process and `crowd`'s.
    pub fn since(mark: CpuMark, crowd: &Crowd) -> Self {
        let wall = mark.at.elapsed().as_secs_f64();
        let server = crate::cpu::used().saturating_sub(mark.server);
        let clients = crowd.cpu().saturating_sub(mark.clients);
        let cores = |used: Duration| crate::cpu::cores_busy(used, wall);
        Cores { server_cores: cores(server), clients_cores: cores(clients) }
    }
}

/// One side in one phase: what the clients received, and the cores it took.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Measured {
    /// Delivered rate and latency.
    #[serde(flatten)]
    pub latency: Percentiles,
    /// CPU.
    #[serde(flatten)]
    pub cores: Cores,
}

impl Measured {
    /// Table cells: delivered msgs/s, p50, p99, p99.9, max, server cores, clients' cores.
    pub fn cells(&self) -> String {
        let cores = [self.cores.server_cores, self.cores.clients_cores];
        format!("{} | {}", self.latency.cells(), cores.map(|busy| format!("{busy:.2}")).join(" | "))
    }
}
