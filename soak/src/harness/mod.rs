//! The soak run itself: a [`ReliableServer`] behind the soak's own accept loop and N
//! [`ReliableClient`]s on loopback, faults injected under both ends of every connection,
//! closes the server starts, a sender at the asked rate, watchers checking every message, a
//! monitor serving `/metrics` and `/health`, and the [`Report`] at the end.
//!
//! [`ReliableClient`]: ws_reliability::client::ReliableClient

pub mod acceptor;
pub mod chaos;
pub mod clients;
pub mod closer;
mod finish;
pub mod limits;
pub mod monitor;
pub mod probe;
pub mod progress;
pub mod sender;
pub mod shared;
mod watch;

use crate::args::Args;
use crate::report::Report;
use crate::{memory, SoakError};
use acceptor::Acceptor;
use chaos::Chaos;
use clients::Faulty;
use closer::Closer;
use monitor::Monitoring;
use shared::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use ws_reliability::conn::AddressLimits;
use ws_reliability::server::{ReliableServer, ServerConfig};

/// Separates the chaos health check's seed from the run's seed.
const CHECK_SEED: u64 = 0x00C4_EC4C;
/// Separates the chaos sync callback's seed from the run's seed.
const SYNC_SEED: u64 = 0x005E_ED5C;
/// Separates the closer's seed from the run's seed.
const CLOSE_SEED: u64 = 0x00C1_05E5;
/// How long every client has to connect at the start.
const CONNECT_LIMIT: Duration = Duration::from_secs(120);

/// The server side of a run: the server, its accept loop, the closer, the counters, the
/// monitoring.
pub struct Core {
    server: ReliableServer,
    acceptor: Acceptor,
    closer: Closer,
    shared: Arc<Shared>,
    monitoring: Monitoring,
    sync_chaos: Chaos,
    seed: u64,
}

/// Everything a run holds once every client is connected.
pub struct Setup {
    core: Core,
    clients: Vec<Faulty>,
    memory_per_connection: u64,
}

/// Runs the soak `args` describe and reports on it.
pub async fn run(args: &Args) -> Result<Report, SoakError> {
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    limits::raise_open_files(args.connections)?;
    let setup = prepare(args, seed).await?;
    let seconds = exercise(&setup, args).await;
    let report = finish::finish(setup, args, seconds).await;
    Ok(probe::measure(args.connections).await?.into_report(report))
}

/// Starts the server, the monitor and the clients; waits until every client is connected.
async fn prepare(args: &Args, seed: u64) -> Result<Setup, SoakError> {
    let baseline = memory::current_rss();
    let core = start_core(args, seed).await?;
    let clients = start_clients(&core, args)?;
    connected(&clients, &core.shared).await?;
    let loaded = memory::current_rss();
    let memory_per_connection = memory::per_connection(baseline, loaded, args.connections);
    Ok(Setup { core, clients, memory_per_connection })
}

async fn start_core(args: &Args, seed: u64) -> Result<Core, SoakError> {
    let rate = chaos_rate(args.fault_rate);
    let sync_chaos = Chaos::new(seed ^ SYNC_SEED, rate);
    let server = ReliableServer::new(server_config(&sync_chaos)?);
    let closer = Closer::follow(server.registry());
    let acceptor = acceptor::listen(&server).await.map_err(ws_reliability::Error::from)?;
    let shared = Arc::new(Shared::new(args.connections));
    let monitoring = monitor::start(&server, Chaos::new(seed ^ CHECK_SEED, rate)).await?;
    Ok(Core { server, acceptor, closer, shared, monitoring, sync_chaos, seed })
}

/// Starts the clients of the server `core` runs, their server-side injectors handed to
/// the accept loop.
fn start_clients(core: &Core, args: &Args) -> Result<Vec<Faulty>, SoakError> {
    let addr = announce(core, args);
    let seed = core.seed;
    let ports = &core.acceptor.owners().ports;
    let server_sides = &clients::server_sides(seed, args.connections, rates(args))?;
    core.acceptor.owners().adopt(server_sides);
    let plan = clients::Plan { addr, seed, rates: rates(args), ports, server_sides };
    clients::start(&plan, args.connections, &core.shared)
}

/// The rates `--faults` and `--fault-rate` ask for: a close the server starts fails with
/// the chaos rate.
fn rates(args: &Args) -> clients::Rates<'_> {
    let kinds = args.faults.0.as_slice();
    let operation = args.fault_rate;
    clients::Rates { kinds, operation, close: chaos_rate(operation) }
}

/// The server's defaults, with the chaos synchronizer run on every open and resume, and
/// [`address_limits`] (every client is on 127.0.0.1).
fn server_config(chaos: &Chaos) -> Result<ServerConfig, SoakError> {
    let mut config = ServerConfig::default();
    config.hooks.sync = Some(chaos.clone().synchronizer()?);
    // a hub: the producers send by session id, the checks read the events
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config.conn.limits.per_address = address_limits();
    Ok(config)
}

/// The per-address limits of the soak's servers: none, since every client connects from
/// 127.0.0.1 (the defaults, 64 connections and 20/s per address, would refuse all but a
/// few); the global limits and accept rate stay the defaults. Printed at the start.
pub fn address_limits() -> AddressLimits {
    AddressLimits::unlimited()
}

/// The chaos check, the chaos sync callback and a close the server starts fail 200 times
/// as often as a connection operation (capped at 1).
pub fn chaos_rate(fault_rate: f64) -> f64 {
    (fault_rate * 200.0).min(1.0)
}

/// Prints where the server, `/metrics` and `/health` are, the seed and how to repeat the
/// run; returns the server's address.
fn announce(core: &Core, args: &Args) -> SocketAddr {
    let http = core.monitoring.http.local_addr();
    let addr = core.acceptor.local_addr();
    eprintln!("ws-soak: server ws://{addr}/ , {} clients", args.connections);
    eprintln!("ws-soak: per-address limits: {}", core.server.config().conn.limits.per_address);
    eprintln!("ws-soak: metrics http://{http}/metrics  health http://{http}/health");
    eprintln!("ws-soak: seed {}; reproduce with: {}", core.seed, args.reproduce(core.seed));
    addr
}

/// Waits until every client has a session (or fails after [`CONNECT_LIMIT`]), then marks
/// them connected.
async fn connected(clients: &[Faulty], shared: &Shared) -> Result<(), SoakError> {
    let welcomed = || clients.iter().filter(|faulty| faulty.client.session().is_some()).count();
    let started = Instant::now();
    while welcomed() < clients.len() && started.elapsed() < CONNECT_LIMIT {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    clients.iter().zip(&shared.slots).for_each(|(faulty, slot)| watch::adopt(&faulty.client, slot));
    let count = welcomed();
    (count == clients.len()).then_some(()).ok_or_else(|| connect_error(count, clients.len()))
}

fn connect_error(connected: usize, connections: usize) -> SoakError {
    let seconds = CONNECT_LIMIT.as_secs();
    SoakError::Connect { connected: connected as u64, connections, seconds }
}

/// Faults and server closes on, the sender and the progress bar for the run's duration,
/// faults and closes off. Returns the seconds spent sending.
async fn exercise(setup: &Setup, args: &Args) -> f64 {
    let started = Instant::now();
    let storm = Storm::start(setup, args);
    let core = &setup.core;
    sender::send_for(core.server.clone(), Arc::clone(&core.shared), args.rate, args.duration).await;
    storm.calm(setup);
    started.elapsed().as_secs_f64()
}

/// What runs while the clients send: every fault on, the server's closes, the progress bar.
struct Storm {
    closing: closer::Closing,
    bar: indicatif::ProgressBar,
}

impl Storm {
    /// Turns faults on and starts the server's closes and the progress bar.
    fn start(setup: &Setup, args: &Args) -> Storm {
        clients::inject(&setup.clients, true);
        let core = &setup.core;
        let closing =
            core.closer.start(core.server.registry(), args.connections, core.seed ^ CLOSE_SEED);
        let bar = progress::start(watched(setup), args.duration.as_secs());
        Storm { closing, bar }
    }

    /// The server's closes, every fault and the progress bar off.
    fn calm(self, setup: &Setup) {
        drop(self.closing);
        clients::inject(&setup.clients, false);
        self.bar.finish();
    }
}

fn watched(setup: &Setup) -> progress::Watched {
    let server = setup.core.server.clone();
    let shared = Arc::clone(&setup.core.shared);
    progress::Watched { server, shared, faults: progress::fault_stats(&setup.clients) }
}
