//! Monitoring during the run: a ws-monitor [`Monitor`] with checks over the server (ghosts,
//! dead letters, outbox depth) and a chaos check that fails at random, run every second,
//! served with Prometheus metrics on `/metrics` and `/health`.

use super::shared::Shared;
use crate::prom;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ws_reliability::monitor::{
    from_fn, install_recorder, CheckError, CheckResult, Criticality, HealthServer, Monitor,
    PrometheusHandle, ThresholdCheck,
};
use ws_reliability::server::ReliableServer;

/// The name of the chaos check.
pub const CHAOS: &str = "chaos";
/// How often the monitor runs.
const EVERY: Duration = Duration::from_secs(1);
/// The timeout of every check.
const SECOND: Duration = Duration::from_secs(1);

/// The monitor, its listener and what the run learns from it.
#[derive(Debug)]
pub struct Monitoring {
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Serves `/metrics` and `/health` (dropping it stops it).
    pub http: HealthServer,
    /// The chaos check's injected failures.
    pub chaos_failures: Arc<AtomicU64>,
    /// Lowest coverage seen (in millionths) and runs.
    pub runs: Arc<Runs>,
}

/// Coverage of every run so far.
#[derive(Debug, Default)]
pub struct Runs {
    lowest_ppm: AtomicU64,
    count: AtomicU64,
}

impl Runs {
    fn record(&self, coverage: f64) {
        let ppm = (coverage * 1e6).round() as u64;
        let first = self.count.fetch_add(1, Ordering::Relaxed) == 0;
        let lowest = if first { ppm } else { ppm.min(self.lowest_ppm.load(Ordering::Relaxed)) };
        self.lowest_ppm.store(lowest, Ordering::Relaxed);
    }

    /// `(lowest coverage, runs)`.
    pub fn summary(&self) -> (f64, u64) {
        let count = self.count.load(Ordering::Relaxed);
        (self.lowest_ppm.load(Ordering::Relaxed) as f64 / 1e6, count)
    }
}

/// What the checks read.
pub struct Sources {
    /// The server under test.
    pub server: ReliableServer,
    /// The harness's counters.
    pub shared: Arc<Shared>,
    /// Seed and failure probability of the chaos check.
    pub chaos: (u64, f64),
}

/// Installs the recorder, registers the checks, serves them on 127.0.0.1 and runs them
/// every second.
pub async fn start(sources: Sources) -> Result<Monitoring, crate::SoakError> {
    let metrics = install_recorder()?;
    let chaos_failures = Arc::new(AtomicU64::new(0));
    let monitor = Arc::new(checks(&sources, metrics.clone(), Arc::clone(&chaos_failures))?);
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let http = HealthServer::bind(loopback, Arc::clone(&monitor), metrics.clone()).await?;
    let runs = Arc::new(Runs::default());
    tokio::spawn(run_forever(monitor, Arc::clone(&runs)));
    Ok(Monitoring { metrics, http, chaos_failures, runs })
}

impl Monitoring {
    /// Failures the chaos check injected so far.
    pub fn chaos_injected(&self) -> u64 {
        self.chaos_failures.load(Ordering::Relaxed)
    }
}

async fn run_forever(monitor: Arc<Monitor>, runs: Arc<Runs>) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        every.tick().await;
        runs.record(monitor.run().await.coverage());
    }
}

fn checks(
    sources: &Sources,
    metrics: PrometheusHandle,
    chaos: Arc<AtomicU64>,
) -> Result<Monitor, crate::SoakError> {
    let (mut monitor, chaos) = (Monitor::new(), from_fn(chaos_check(sources.chaos, chaos)));
    monitor
        .register("ghosts", Criticality::Warning, SECOND, ghost_check(sources))?
        .register("dead_letters", Criticality::Critical, SECOND, dead_letter_check(metrics))?
        .register("outbox_depth", Criticality::Warning, SECOND, depth_check(sources))?
        .register(CHAOS, Criticality::Warning, SECOND, chaos)?;
    Ok(monitor)
}

/// Server connections beyond the clients connected now: at most 5% of the clients (or 5)
/// while connections churn.
fn ghost_check(sources: &Sources) -> ThresholdCheck<impl Fn() -> f64 + Send + Sync + 'static> {
    let (server, shared) = (sources.server.clone(), Arc::clone(&sources.shared));
    let limit = (shared.slots.len() as f64 * 0.05).max(5.0);
    ThresholdCheck::at_most("server connections without a client", limit, move || {
        let connected = shared.connected();
        server.registry().len().saturating_sub(connected) as f64
    })
}

/// Messages out of attempts, in the facade's and ws-batch's counters: none allowed.
fn dead_letter_check(
    metrics: PrometheusHandle,
) -> ThresholdCheck<impl Fn() -> f64 + Send + Sync + 'static> {
    ThresholdCheck::at_most("dead letters", 0.0, move || {
        let text = metrics.render();
        let facade = prom::sum(&text, "ws_reliability_dead_letters_total", &[]);
        facade + prom::sum(&text, "ws_batch_dead_lettered_total", &[])
    })
}

/// Unacked messages over every session: at most a thousand per client (the outbox holds
/// up to 1024 each, so more means acks stopped everywhere).
fn depth_check(sources: &Sources) -> ThresholdCheck<impl Fn() -> f64 + Send + Sync + 'static> {
    let server = sources.server.clone();
    let limit = 1000.0 * sources.shared.slots.len() as f64;
    ThresholdCheck::at_most("unacked messages on the server", limit, move || {
        let sessions = server.sessions().into_iter();
        sessions.filter_map(|session| server.unacked(session)).sum::<usize>() as f64
    })
}

/// A check that fails with probability `rate`, counting each failure it injects.
fn chaos_check(
    (seed, rate): (u64, f64),
    injected: Arc<AtomicU64>,
) -> impl Fn() -> CheckResult + Send + Sync + 'static {
    let rng = Mutex::new(fastrand::Rng::with_seed(seed));
    move || {
        if super::shared::lock(&rng).f64() >= rate {
            return Ok("no failure injected".into());
        }
        injected.fetch_add(1, Ordering::Relaxed);
        Err(CheckError::new("injected health-check failure"))
    }
}
