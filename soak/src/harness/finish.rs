//! The end of a run: drain what is in flight, match the faults, count the ghosts after the
//! clients shut down, and build the [`Report`].

use super::chaos::CHAOS;
use super::clients::Faulty;
use super::shared::{lock, Shared, Tallies};
use super::{Core, Setup};
use crate::args::Args;
use crate::report::{
    Absorbed, Faults, Measured, Report, Resources, ServerCloses, ServerEnd, Sides,
};
use crate::silent::Matched;
use crate::stats::Summary;
use crate::{memory, prom};
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;
use ws_reliability::conn::{ConnState, Registry};
use ws_reliability::fault::{FaultInjector, FaultKind};
use ws_reliability::server::ReliableServer;

/// How long in-flight messages have to arrive after sending stops.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);
/// How long the server has to release connections after the clients shut down.
const RELEASE_LIMIT: Duration = Duration::from_secs(30);
/// How long the sweeper has, after the run, to remove connections whose close failed
/// (one close timeout and one sweep interval, with room).
const SETTLE_LIMIT: Duration = Duration::from_secs(15);

/// How a kill is noticed.
const KILL_EVIDENCE: &str = "that client's connection or attempt ended (ws-reconnect \
     Disconnected but for the server's 1001, or ConnectFailed); kills on both ends";
/// How a failed close is noticed.
const CLOSE_EVIDENCE: &str =
    "ws_conn_close_failed_total (the server's ws-conn close failed; then force-closed)";
/// How a failed write is noticed: a pool shared with the server's own write failures, so
/// it cannot prove each one was noticed (the client's link has no event for it).
const WRITE_EVIDENCE: &str = "ws_reliability_write_failures_total (server and client \
     writes together) or a failed connect attempt; write errors on both ends";
/// How a failed state-sync callback is noticed.
const SYNC_EVIDENCE: &str = "ws_reliability_sync_failures_total{criticality=\"warning\"}";
/// How a failed health check is noticed.
const CHECK_EVIDENCE: &str = "ws_monitor_check_failures_total{check=\"chaos\"}";

/// Drains, measures and reports.
pub async fn finish(setup: Setup, args: &Args, seconds: f64) -> Report {
    let Setup { core, clients, memory_per_connection } = setup;
    drain(&core).await;
    let metrics = core.monitoring.metrics.render();
    let mut measured = measure(&core, &clients, &metrics);
    measured.run = args.run(core.seed, seconds);
    measured.server.ghosts_at_end = ghosts_at_end(&core, clients).await;
    measured.memory = Resources::new(memory::peak_rss(), memory_per_connection);
    Report::new(measured)
}

/// Waits until every client received everything or [`DRAIN_LIMIT`] passed; says which,
/// and how many sockets the accept loop could not attribute to a client.
async fn drain(core: &Core) {
    let started = Instant::now();
    let shared = &core.shared;
    let unattributed = core.acceptor.unattributed();
    eprintln!("ws-soak: {unattributed} accepted sockets served without faults (client unknown)");
    until(DRAIN_LIMIT, || shared.all_caught_up()).await;
    let behind = shared.slots.iter().filter(|slot| !slot.caught_up()).count();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("ws-soak: drain: {behind} clients behind after {seconds:.1} s");
}

/// Polls `done` every 20 ms until it holds or `limit` passed.
async fn until(limit: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the run measured, but for its parameters, the ghosts and the memory.
fn measure(core: &Core, clients: &[Faulty], metrics: &str) -> Measured {
    Measured {
        counts: core.shared.counts(),
        faults: Faults::new(matched(core, clients, metrics), absorbed(clients), sides(clients)),
        churn: core.shared.tallies.churn(server_closes(core)),
        server: server_end(core),
        recovery: Summary::of(&lock(&core.shared.tallies.recoveries)),
        ..Measured::default()
    }
}

/// Every fault injected under the clients' ends, and under the server's.
fn sides(clients: &[Faulty]) -> Sides {
    let total = |pick: fn(&Faulty) -> &FaultInjector| {
        clients.iter().map(|faulty| pick(faulty).stats().total()).sum()
    };
    let injected_under_clients = total(|faulty| &faulty.injector);
    Sides { injected_under_clients, injected_under_server: total(|faulty| &faulty.server_side) }
}

/// The server's closes: answered, failed (as the registry returned them), seen by clients.
fn server_closes(core: &Core) -> ServerCloses {
    core.closer.outcomes.closes(Tallies::get(&core.shared.tallies.server_closes_seen))
}

/// The server after the drain (its ghosts are counted later): full outboxes, monitor runs.
fn server_end(core: &Core) -> ServerEnd {
    let full_outboxes_at_end = full_outboxes(&core.server);
    ServerEnd { full_outboxes_at_end, monitoring: core.monitoring.runs.summary(), ghosts_at_end: 0 }
}

/// Faults of `kind` injected under both ends of every client's connections.
fn injected(clients: &[Faulty], kind: FaultKind) -> u64 {
    clients.iter().map(|faulty| faulty.count(kind)).sum()
}

fn absorbed(clients: &[Faulty]) -> Absorbed {
    let delayed_writes = injected(clients, FaultKind::Delay);
    Absorbed { delayed_writes, stalled_reads: injected(clients, FaultKind::Stall) }
}

/// Each failing fault kind against what the system reported about it.
fn matched(core: &Core, clients: &[Faulty], metrics: &str) -> Vec<Matched> {
    let kills = |(faulty, slot): (&Faulty, &super::shared::Slot)| {
        (faulty.count(FaultKind::Kill), slot.ended.load(Ordering::Relaxed))
    };
    let per_client = clients.iter().zip(&core.shared.slots).map(kills);
    let kills = Matched::per_source("kill", per_client, KILL_EVIDENCE);
    let checks = checks(core.monitoring.chaos.injected(), metrics);
    let syncs = syncs(core.sync_chaos.injected(), metrics);
    [kills, writes(clients, &core.shared, metrics), closes(clients, metrics), checks, syncs].into()
}

fn closes(clients: &[Faulty], metrics: &str) -> Matched {
    let failed = prom::sum(metrics, "ws_conn_close_failed_total", &[]) as u64;
    Matched::pooled(
        "failed_close",
        injected(clients, FaultKind::FailedClose),
        failed,
        CLOSE_EVIDENCE,
    )
}

fn writes(clients: &[Faulty], shared: &Shared, metrics: &str) -> Matched {
    let failures = prom::sum(metrics, "ws_reliability_write_failures_total", &[]) as u64;
    let noticed = failures + Tallies::get(&shared.tallies.connect_failures);
    Matched::pooled(
        "write_error",
        injected(clients, FaultKind::WriteError),
        noticed,
        WRITE_EVIDENCE,
    )
}

fn checks(chaos: u64, metrics: &str) -> Matched {
    let seen = prom::sum(metrics, "ws_monitor_check_failures_total", &[("check", CHAOS)]);
    Matched::pooled("health_check", chaos, seen as u64, CHECK_EVIDENCE)
}

fn syncs(injected: u64, metrics: &str) -> Matched {
    let seen =
        prom::sum(metrics, "ws_reliability_sync_failures_total", &[("criticality", "warning")]);
    Matched::pooled("sync_callback", injected, seen as u64, SYNC_EVIDENCE)
}

/// Sessions whose outbox holds the most unacked messages allowed: their client stopped
/// acking.
fn full_outboxes(server: &ReliableServer) -> u64 {
    let limit = usize::try_from(server.config().limits.max_unacked).unwrap_or(usize::MAX);
    let depths = server.sessions().into_iter().filter_map(|session| server.unacked(session));
    depths.filter(|depth| *depth >= limit).count() as u64
}

/// Server connections left without a client: before the clients shut down (all of them
/// connected; once the sweeper removed the connections whose close failed), and after
/// they did and the server had time to release them.
async fn ghosts_at_end(core: &Core, clients: Vec<Faulty>) -> u64 {
    let registry = core.server.registry();
    until(SETTLE_LIMIT, || settled(registry)).await;
    let before = registry.len().saturating_sub(core.shared.connected());
    let shutdowns = clients.into_iter().map(|faulty| faulty.client.shutdown());
    futures::future::join_all(shutdowns).await;
    let after = released(registry).await;
    eprintln!("ws-soak: ghosts: {before} before the clients shut down, {after} after");
    before.max(after) as u64
}

/// Whether no connection is closing or failed (waiting for its peer or the sweeper).
fn settled(registry: &Registry) -> bool {
    registry.count(ConnState::Closing) + registry.count(ConnState::Failed) == 0
}

/// Connections still registered once the server had [`RELEASE_LIMIT`] to release them.
async fn released(registry: &Registry) -> usize {
    until(RELEASE_LIMIT, || registry.is_empty()).await;
    registry.len()
}
