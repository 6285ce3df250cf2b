//! `ws-soak --simulate DURATION` (feature `simulation`): the soak's server and clients under
//! turmoil, a simulated network (partitions, held links, latency) and a simulated clock, so
//! that hours pass in minutes and a run repeats exactly from its seed.
//!
//! Hosts: `server` ([`server`], its sessions in a redb file it opens at every start, or a
//! `MemoryStore` that outlives the host, see [`store`]; redb runs inline on the host's task
//! under `ws-store/simulation`, since turmoil runs every host on this one thread and the
//! blocking pool's threads would finish on the wall clock; crashed and started again every
//! [`RESTART_EVERY`], see [`restarts`]), [`CLIENT_HOSTS`] client hosts of [`CONNECTIONS`] /
//! [`CLIENT_HOSTS`] clients each ([`clients`]), and the `driver` ([`driver`]), which runs the
//! [`storm`] and ends the run. Every host runs [`TICK`] of simulated time at each step, one
//! after the other on this thread. What they share is the [`world::World`].
//!
//! Determinism: turmoil's network from the seed; tokio's own randomness (the branch
//! `select!` polls first) from turmoil's per-host seeds when built with
//! `--cfg tokio_unstable` (as `cargo xtask reliability --simulate` builds it); fastrand's
//! thread generator (behind ws-core's `JitterRng` and every `fastrand::Rng::new`) seeded;
//! session ids and resume tokens from ws-session's seeded generator (`ws-session/simulation`);
//! the store's clock is the simulated one and redb's transactions inline
//! (`ws-store/simulation`); every hash map hashes with
//! fixed keys, ours under `simulation` and turmoil's by its patch (`vendor/turmoil`).

pub mod clients;
pub mod driver;
pub mod hours;
pub mod ledger;
pub mod lull;
pub mod probe;
pub mod pump;
pub mod report;
pub mod restarts;
pub mod server;
pub mod store;
pub mod storm;
pub mod trend;
pub mod world;

use crate::harness::shared::lock;
use crate::SoakError;
use driver::{Outbox, Plan};
use hours::HeapProbe;
use report::{Shape, SimReport, SimRun, WallClock};
use std::sync::Arc;
use std::time::Duration;
use store::{Shelf, StoreKind};
use world::{Power, World};

/// Client connections.
pub const CONNECTIONS: usize = 100;
/// Hosts the clients are spread over (turmoil steps every host at every tick: fewer hosts,
/// fewer steps).
pub const CLIENT_HOSTS: usize = 4;
/// The simulation's step.
pub const TICK: Duration = Duration::from_millis(10);
/// The latency of every packet on every link (constant: turmoil draws a random latency
/// per packet in the order packets are sent, which would make the run depend on the order
/// of sends the hash maps of the library choose).
pub const LATENCY: Duration = Duration::from_millis(5);
/// Simulated time past the sending for connecting, draining and counting ghosts.
const MARGIN: Duration = Duration::from_secs(3600);
/// Every session's sequence numbers start after this, in both directions: 600 messages
/// (10 minutes of a client's traffic) before 2^32, so that a 32-bit truncation or wrap
/// anywhere in the stack would show as a gap, a duplicate or a refused ack.
pub const SEQUENCE_ORIGIN: u64 = (1 << 32) - 600;
/// Where the simulated wall clock starts, after the Unix epoch (2026-01-01): what the
/// store's deadlines count from.
const EPOCH: Duration = Duration::from_secs(1_767_225_600);
/// Separates the seed of ids and tokens from the run's seed.
const IDS_SEED: u64 = 0x01D5_5EED;
/// How often the server host crashes and starts again on its store, by default: every 5
/// simulated minutes (288 restarts in 24 h), so that every client resumes from the store
/// again and again, in every phase of the storm.
pub const RESTART_EVERY: Duration = Duration::from_secs(300);
/// How often the driver holds a quiet instant ([`lull`]), by default: at every simulated
/// hour's end, a heap sample an hour for the heap check.
pub const QUIET_EVERY: Duration = Duration::from_secs(3600);

/// What to simulate.
#[derive(Debug, Clone, Copy)]
pub struct SimOptions {
    /// How long the server sends, simulated.
    pub duration: Duration,
    /// The seed of everything random.
    pub seed: u64,
    /// Reads the counting allocator.
    pub heap: HeapProbe,
    /// How often the server host crashes and starts again ([`RESTART_EVERY`]; zero for
    /// never).
    pub restart_every: Duration,
    /// Where the server keeps its sessions (`--store`; redb by default).
    pub store: StoreKind,
    /// A planted leak (`--plant-leak`, hidden): bytes the driver allocates and keeps every
    /// simulated minute, 0 for none; the heap check must fail with one near its goal.
    pub leak_per_minute: u64,
    /// How often the driver holds a quiet instant ([`QUIET_EVERY`]; zero for never).
    pub quiet_every: Duration,
    /// Tests only: the sender's turn whose message is noted as sent and never sent.
    #[cfg(test)]
    pub plant: Option<u64>,
}

/// The command that repeats a simulated run (naming the restart interval when it is not
/// the default, a store other than redb and a planted leak).
pub fn reproduce(options: &SimOptions) -> String {
    let duration = crate::args::format_duration(options.duration);
    let command = format!("cargo xtask reliability --simulate {duration} --seed {}", options.seed);
    let leak = Some(options.leak_per_minute).filter(|bytes| *bytes > 0);
    let leak = leak.map(|bytes| format!(" --plant-leak {bytes}")).unwrap_or_default();
    command + &restarts_flag(options.restart_every) + options.store.flag() + &leak
}

/// The flag of a restart interval that is not the default.
fn restarts_flag(every: Duration) -> String {
    match every {
        RESTART_EVERY => String::new(),
        Duration::ZERO => " --kill-server-every 0".to_owned(),
        every => " --kill-server-every ".to_owned() + &crate::args::format_duration(every),
    }
}

/// Runs the simulation `options` describe; its report.
pub fn run(options: &SimOptions) -> Result<SimReport, SoakError> {
    let started = std::time::Instant::now();
    seed_everything(options.seed);
    let world = Arc::new(World::new(CONNECTIONS, CLIENT_HOSTS));
    plant(&world, options);
    simulate(options, world)?.timed(started.elapsed())
}

/// Plants the bug the options ask for (tests only).
#[cfg(test)]
fn plant(world: &World, options: &SimOptions) {
    let turn = options.plant.unwrap_or(u64::MAX);
    world.plant.store(turn, std::sync::atomic::Ordering::Relaxed);
}

/// No bug is planted outside the tests.
#[cfg(not(test))]
fn plant(_world: &World, _options: &SimOptions) {}

/// Seeds this thread's fastrand generator and ws-session's ids; moves the sequence origin;
/// sets the store's clock to the simulated one.
fn seed_everything(seed: u64) {
    fastrand::seed(seed);
    ws_session::protocol::simulation::seed_ids(seed ^ IDS_SEED);
    ws_reliability::core::sequence::set_origin(SEQUENCE_ORIGIN);
    ws_reliability::store::simulation::set_clock(turmoil::since_epoch);
}

/// Builds the simulation, runs it to the driver's end; the report the driver left.
fn simulate(options: &SimOptions, world: Arc<World>) -> Result<Finished, SoakError> {
    let out: Outbox = Arc::default();
    let mut sim = builder(options).build();
    let plan = plan(options, add_hosts(&mut sim, &world, options)?);
    sim.client("driver", driver::drive(Arc::clone(&world), plan, Arc::clone(&out)));
    step_all(&mut sim, &world)?;
    let report = lock(&out).take();
    report.map(Finished).ok_or_else(|| SoakError::Simulation("the driver left no report".into()))
}

fn builder(options: &SimOptions) -> turmoil::Builder {
    let mut builder = turmoil::Builder::new();
    builder.simulation_duration(simulated_limit(options)).tick_duration(TICK);
    builder.min_message_latency(LATENCY).max_message_latency(LATENCY);
    builder.rng_seed(options.seed).tcp_capacity(4096).epoch(std::time::UNIX_EPOCH + EPOCH);
    builder
}

/// The most simulated time a run may take: its sending, the longest quiet instants it
/// holds, and [`MARGIN`].
fn simulated_limit(options: &SimOptions) -> Duration {
    let every = options.quiet_every.as_secs();
    let quiet_instants = options.duration.as_secs().checked_div(every).unwrap_or(0);
    let quiet = lull::LONGEST.saturating_mul(u32::try_from(quiet_instants).unwrap_or(u32::MAX));
    options.duration + quiet + MARGIN
}

/// Steps the simulation until the driver ends, crashing and starting the server host
/// between two steps when the driver asks.
fn step_all(sim: &mut turmoil::Sim<'_>, world: &World) -> Result<(), SoakError> {
    while !sim.step().map_err(|error| SoakError::Simulation(error.to_string()))? {
        match lock(&world.power).take() {
            Some(Power::Crash) => crash(sim, world),
            Some(Power::Start) => sim.bounce("server"),
            None => {}
        }
    }
    Ok(())
}

/// Crashes the server host and notes it in the world.
fn crash(sim: &mut turmoil::Sim<'_>, world: &World) {
    sim.crash("server");
    world.crashed();
}

/// The server host (its store made here, outliving its restarts) and the client hosts; the
/// client hosts' names.
fn add_hosts(
    sim: &mut turmoil::Sim<'_>,
    world: &Arc<World>,
    options: &SimOptions,
) -> Result<Vec<String>, SoakError> {
    let shelf = Shelf::new(options.store)?;
    let shared = Arc::clone(world);
    let seed = options.seed;
    sim.host("server", move || server::host(Arc::clone(&shared), seed, shelf.clone()));
    Ok((0..CLIENT_HOSTS).map(|host| add_client_host(sim, world, seed, host)).collect())
}

/// Client host `host`, with its share of the clients; its name.
fn add_client_host(
    sim: &mut turmoil::Sim<'_>,
    world: &Arc<World>,
    seed: u64,
    host: usize,
) -> String {
    let per_host = CONNECTIONS.div_ceil(CLIENT_HOSTS);
    let place =
        clients::Place { host, clients: host * per_host..((host + 1) * per_host).min(CONNECTIONS) };
    let name = format!("clients-{host}");
    let shared = Arc::clone(world);
    sim.host(name.as_str(), move || clients::host(Arc::clone(&shared), place.clone(), seed));
    name
}

/// The driver's plan: the run `options` describe over the client hosts `hosts`, the heap
/// meter started now.
fn plan(options: &SimOptions, hosts: Vec<String>) -> Plan {
    let heap = hours::Meter::start(options.heap);
    let restart_every = options.restart_every;
    let leak_per_minute = options.leak_per_minute;
    let quiet_every = options.quiet_every.as_secs();
    Plan { run: sim_run(options), hosts, heap, restart_every, leak_per_minute, quiet_every }
}

fn sim_run(options: &SimOptions) -> SimRun {
    let command = reproduce(options);
    let simulated_seconds = options.duration.as_secs();
    SimRun { seed: options.seed, command, simulated_seconds, shape: shape(options.store) }
}

/// The run's shape, its sessions in `store`.
fn shape(store: StoreKind) -> Shape {
    let tick_us = TICK.as_micros() as u64;
    let sequence_origin = SEQUENCE_ORIGIN;
    Shape { connections: CONNECTIONS, client_hosts: CLIENT_HOSTS, tick_us, sequence_origin, store }
}

/// The driver's report, before the wall clock is added.
struct Finished(SimReport);

impl Finished {
    /// The report with the wall-clock figures of a run that took `wall`.
    fn timed(self, wall: Duration) -> Result<SimReport, SoakError> {
        let seconds = wall.as_secs_f64();
        let speedup = self.0.run.simulated_seconds as f64 / seconds.max(f64::EPSILON);
        Ok(SimReport { wall_clock: WallClock { seconds, speedup }, ..self.0 })
    }
}

#[cfg(test)]
mod tests;
