//! Monitoring during the run: a ws-monitor [`Monitor`] with the server's built-in checks
//! (ghost connections, dead letters, full outboxes, sync state) and a chaos check that
//! fails at random, run every second, served with Prometheus metrics on `/metrics` and
//! `/health`.

use super::chaos::{Chaos, CHAOS};
use crate::report::Monitored;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use ws_reliability::monitor::{
    from_fn, install_recorder, Criticality, HealthServer, Monitor, PrometheusHandle,
};
use ws_reliability::server::ReliableServer;

/// How often the monitor runs, and the timeout of the chaos check.
const EVERY: Duration = Duration::from_secs(1);
/// Where the monitor serves: 127.0.0.1, any port.
const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// The monitor, its listener and what the run learns from it.
#[derive(Debug)]
pub struct Monitoring {
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Serves `/metrics` and `/health` (dropping it stops it).
    pub http: HealthServer,
    /// The chaos check's coin.
    pub chaos: Chaos,
    /// Lowest coverage seen and runs.
    pub runs: Arc<Runs>,
}

/// Coverage of every run so far.
#[derive(Debug, Default)]
pub struct Runs {
    lowest_ppm: AtomicU64,
    count: AtomicU64,
}

impl Runs {
    /// Records one run's coverage.
    pub fn record(&self, coverage: f64) {
        let ppm = (coverage * 1e6).round() as u64;
        let first = self.count.fetch_add(1, Ordering::Relaxed) == 0;
        let lowest = if first { ppm } else { ppm.min(self.lowest_ppm.load(Ordering::Relaxed)) };
        self.lowest_ppm.store(lowest, Ordering::Relaxed);
    }

    /// The lowest coverage and the runs; both 0 before the first run.
    pub fn summary(&self) -> Monitored {
        let runs = self.count.load(Ordering::Relaxed);
        Monitored { coverage: self.lowest_ppm.load(Ordering::Relaxed) as f64 / 1e6, runs }
    }

    /// Runs `monitor` every second in a task of its own, recording each run here.
    pub fn spawn(monitor: Arc<Monitor>) -> Arc<Runs> {
        let runs = Arc::new(Runs::default());
        Runs::spawn_into(monitor, Arc::clone(&runs));
        runs
    }

    /// The same, recording into `runs` (the simulated soak's, kept across server restarts).
    pub fn spawn_into(monitor: Arc<Monitor>, runs: Arc<Runs>) {
        tokio::spawn(run_forever(monitor, runs));
    }
}

/// Installs the recorder, registers the checks, serves them on 127.0.0.1 and runs them
/// every second.
pub async fn start(server: &ReliableServer, chaos: Chaos) -> Result<Monitoring, crate::SoakError> {
    let metrics = install_recorder()?;
    let mut monitor = Monitor::new();
    server.register_checks(&mut monitor)?;
    monitor.register(CHAOS, Criticality::Warning, EVERY, from_fn(chaos.clone().check()))?;
    let monitor = Arc::new(monitor);
    let http = HealthServer::bind(LOOPBACK, Arc::clone(&monitor), metrics.clone()).await?;
    Ok(Monitoring { metrics, http, chaos, runs: Runs::spawn(monitor) })
}

async fn run_forever(monitor: Arc<Monitor>, runs: Arc<Runs>) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        every.tick().await;
        runs.record(monitor.run().await.coverage());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_coverage_is_kept() {
        let runs = Runs::default();
        assert_eq!(runs.summary(), Monitored { coverage: 0.0, runs: 0 });
        [1.0, 0.75, 1.0].into_iter().for_each(|coverage| runs.record(coverage));
        assert_eq!(runs.summary(), Monitored { coverage: 0.75, runs: 3 });
    }
}
