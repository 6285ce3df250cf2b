//! The end of a run: drain what is in flight, match the faults, count the ghosts after the
//! clients shut down, and build the [`Report`].

use super::chaos::CHAOS;
use super::clients::Faulty;
use super::shared::{lock, Shared, Tallies};
use super::Setup;
use crate::args::Args;
use crate::report::{Absorbed, Churn, Counts, Measured, Report, ServerCloses, Sides};
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
    drain(&setup.core).await;
    let metrics = setup.core.monitoring.metrics.render();
    let mut measured = measure(&setup, &metrics);
    measured.run = args.run(setup.core.seed, seconds);
    measured.ghosts_at_end = ghosts_at_end(setup).await;
    measured.memory.0 = memory::peak_rss();
    Report::new(measured)
}

/// Waits until every client received everything or [`DRAIN_LIMIT`] passed; says which,
/// and how many sockets the accept loop could not attribute to a client.
async fn drain(core: &super::Core) {
    let (started, shared) = (Instant::now(), &core.shared);
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

fn measure(setup: &Setup, metrics: &str) -> Measured {
    let (core, clients, tallies) = (&setup.core, &setup.clients, &setup.core.shared.tallies);
    let faults = matched(clients, &core.shared, metrics, core.chaos_injected());
    let (counts, churn, recovery) = (counts(&core.shared), churn(core), recoveries(tallies));
    let (absorbed, monitoring) = (absorbed(clients), core.monitoring.runs.summary());
    let (sides, memory) = (sides(clients), (0, setup.memory_per_connection));
    let full_outboxes_at_end = full_outboxes(&core.server);
    let base = Measured { sides, memory, full_outboxes_at_end, ..Measured::default() };
    Measured { counts, churn, faults, absorbed, monitoring, recovery, ..base }
}

/// Every fault injected under the clients' ends, and under the server's.
fn sides(clients: &[Faulty]) -> Sides {
    let total = |pick: fn(&Faulty) -> &FaultInjector| {
        clients.iter().map(|faulty| pick(faulty).stats().total()).sum()
    };
    let injected_under_clients = total(|faulty| &faulty.injector);
    Sides { injected_under_clients, injected_under_server: total(|faulty| &faulty.server_side) }
}

fn recoveries(tallies: &Tallies) -> Summary {
    Summary::of(&lock(&tallies.recoveries))
}

fn counts(shared: &Shared) -> Counts {
    let (get, tallies) = (Tallies::get, &shared.tallies);
    let (sent, delivered) = (get(&tallies.sent), get(&tallies.delivered));
    let (duplicated, out_of_order) = (get(&tallies.duplicated), get(&tallies.out_of_order));
    let (misdelivered, refused_sends) = (get(&tallies.misdelivered), get(&tallies.refused));
    let skipped = shared.slots.iter().map(|slot| get(&slot.missing)).sum();
    Counts { sent, delivered, duplicated, out_of_order, misdelivered, refused_sends, skipped }
}

fn churn(core: &super::Core) -> Churn {
    let (get, tallies) = (Tallies::get, &core.shared.tallies);
    let (disconnects, connect_failures) =
        (get(&tallies.disconnects), get(&tallies.connect_failures));
    let (reconnects, sessions_lost) = (get(&tallies.reconnects), get(&tallies.sessions_lost));
    let (events_missed, server_closes) = (get(&tallies.events_missed), server_closes(core));
    Churn { disconnects, connect_failures, reconnects, sessions_lost, events_missed, server_closes }
}

/// The server's closes: answered, failed (as the registry returned them), seen by clients.
fn server_closes(core: &super::Core) -> ServerCloses {
    let (get, outcomes) = (Tallies::get, &core.closer.outcomes);
    let (answered, failed) = (get(&outcomes.answered), get(&outcomes.failed));
    let (injected, interrupted) = (get(&outcomes.injected), get(&outcomes.interrupted));
    let seen = get(&core.shared.tallies.server_closes_seen);
    ServerCloses { answered, failed, injected, interrupted, seen }
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
fn matched(clients: &[Faulty], shared: &Shared, metrics: &str, chaos: (u64, u64)) -> Vec<Matched> {
    let kills = |(faulty, slot): (&Faulty, &super::shared::Slot)| {
        (faulty.count(FaultKind::Kill), slot.ended.load(Ordering::Relaxed))
    };
    let per_client = clients.iter().zip(&shared.slots).map(kills);
    let kills = Matched::per_source("kill", per_client, KILL_EVIDENCE);
    let (checks, syncs) = (checks(chaos.0, metrics), syncs(chaos.1, metrics));
    [kills, writes(clients, shared, metrics), closes(clients, metrics), checks, syncs].into()
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
async fn ghosts_at_end(setup: Setup) -> u64 {
    let registry = setup.core.server.registry().clone();
    until(SETTLE_LIMIT, || settled(&registry)).await;
    let before = registry.len().saturating_sub(setup.core.shared.connected());
    let shutdowns = setup.clients.into_iter().map(|faulty| faulty.client.shutdown());
    futures::future::join_all(shutdowns).await;
    let after = released(&registry).await;
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
