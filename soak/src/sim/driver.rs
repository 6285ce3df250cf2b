//! The driver: a turmoil client host that runs the storm second by second for the run's
//! duration, samples every minute and every hour, and at every hour's end holds a quiet
//! instant ([`super::lull`]); then calms the network, stops sending, drains, counts the
//! ghosts and writes the report. The simulation ends when the driver does.

use super::hours::{Hour, Meter, Sample};
use super::lull::{lull, QuietInstants};
use super::report::{HeapFigures, SimReport, SimRun, SimServer};
use super::restarts::Restarts;
use super::storm::Storm;
use super::world::{get, World};
use crate::harness::shared::lock;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ws_reliability::conn::Registry;

/// How long every client has to connect at the start.
const CONNECT_LIMIT: Duration = Duration::from_secs(120);
/// How long the clients have, once the storm calmed, to receive what is in flight (a
/// partitioned client backs off for up to a minute, then resumes).
const DRAIN_LIMIT: Duration = Duration::from_secs(600);
/// How long the server has to drop the connections of clients that are gone (its idle
/// timeout is 60 s, its sweep every 5 s).
const SETTLE_LIMIT: Duration = Duration::from_secs(180);
/// How long the server has to release connections after the clients shut down.
const RELEASE_LIMIT: Duration = Duration::from_secs(60);
/// How often the driver looks at the world while it waits.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// What the driver needs: the run's parameters, the client hosts, the heap probe.
pub struct Plan {
    /// The run's parameters (its duration, its seed).
    pub run: SimRun,
    /// The client hosts' names.
    pub hosts: Vec<String>,
    /// Reads the counting allocator, from the simulation's start.
    pub heap: Meter,
    /// How often the server restarts (zero: never; then the quiet instants do not crash
    /// it either).
    pub restart_every: Duration,
    /// The planted leak: bytes kept every simulated minute (0: none).
    pub leak_per_minute: u64,
    /// Seconds of sending between two quiet instants (0: none).
    pub quiet_every: u64,
}

impl Plan {
    /// Whether second `second` of sending is the last before a quiet instant.
    fn quiet_after(&self, second: u64) -> bool {
        self.quiet_every > 0 && (second + 1) % self.quiet_every == 0
    }
}

/// Where the driver leaves the report.
pub type Outbox = Arc<Mutex<Option<SimReport>>>;

/// The driver's software.
pub async fn drive(world: Arc<World>, plan: Plan, out: Outbox) -> turmoil::Result {
    connected(&world).await?;
    let mut weather = Weather::new(&plan);
    let samples = weather.hours(&world, &plan).await;
    weather.calm(&world);
    drain(&world).await;
    let ended = samples.ended(ending(&world).await);
    *lock(&out) = Some(weather.report(&world, plan.run, ended));
    Ok(())
}

/// Stops sending, and waits until every client received what was sent.
async fn drain(world: &World) {
    world.sending.store(false, Ordering::Relaxed);
    until(DRAIN_LIMIT, || world.settled()).await;
}

/// Polls `done` until it holds or `limit` passed; whether it held.
pub async fn until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let started = tokio::time::Instant::now();
    while !done() && started.elapsed() < limit {
        tokio::time::sleep(LOOK_EVERY).await;
    }
    done()
}

/// Waits until every client is connected.
async fn connected(world: &World) -> turmoil::Result {
    let all = world.clients.len();
    until(CONNECT_LIMIT, || world.connected() == all).await;
    match world.connected() {
        count if count == all => Ok(()),
        count => Err(format!("only {count} of {all} clients connected").into()),
    }
}

/// What the run ends with: every hour's figures, the heap's trends and the server's.
struct Ended {
    hours: Vec<Hour>,
    heap: HeapFigures,
    server: SimServer,
}

/// The figures sampled while the weather runs: every hour's end, the heap every minute and
/// at every quiet instant (with the server's share), the quiet instants missed; and what
/// the planted leak keeps.
#[derive(Default)]
struct Samples {
    hours: Vec<Hour>,
    minutes: Vec<Sample>,
    quiet: QuietInstants,
    leaked: Vec<Box<[u8]>>,
}

impl Samples {
    /// Room for every sample of the run (and the planted leak's list), allocated at the
    /// start so that the samples' own growth, ~1.4 KB per simulated hour, is not in the
    /// heap they measure.
    fn for_run(plan: &Plan) -> Samples {
        let seconds = plan.run.simulated_seconds as usize;
        let hours = seconds / 3600 + 2;
        let minutes = seconds / 60 + 1;
        let leaked = Vec::with_capacity(minutes);
        let quiet = QuietInstants::with_capacity(hours);
        let minutes = Vec::with_capacity(minutes);
        Samples { hours: Vec::with_capacity(hours), minutes, quiet, leaked }
    }

    /// Samples the end of second `second`, when it ends a minute (and an hour).
    fn second(&mut self, second: u64, world: &World, plan: &Plan) {
        if second % 60 == 59 {
            self.leak(plan.leak_per_minute);
            self.minutes.push(Sample::take(second, world, &plan.heap));
        }
        self.hours.extend(on_the_hour(second, world, plan));
    }

    /// The planted leak: `bytes` more kept until the end (nothing for 0).
    fn leak(&mut self, bytes: u64) {
        if bytes > 0 {
            self.leaked.push(vec![1; bytes as usize].into_boxed_slice());
        }
    }

    /// What the run ended with: the hours, the heap's figures, `server`.
    fn ended(self, server: SimServer) -> Ended {
        let heap = HeapFigures::of(self.quiet, &self.minutes);
        Ended { hours: self.hours, heap, server }
    }
}

/// What strikes second by second: the storm on the links and the server's restarts; and
/// the seconds it strikes at.
struct Weather {
    storm: Storm,
    restarts: Restarts,
    seconds: tokio::time::Interval,
}

impl Weather {
    fn new(plan: &Plan) -> Weather {
        let storm = Storm::new(plan.run.seed, plan.hosts.clone());
        let seconds = tokio::time::interval(Duration::from_secs(1));
        Weather { storm, restarts: Restarts::new(plan.restart_every), seconds }
    }

    /// The weather, second by second, for the run's duration; the figures of every hour
    /// (and of the last, partial one).
    async fn hours(&mut self, world: &World, plan: &Plan) -> Samples {
        let mut samples = Samples::for_run(plan);
        for second in 0..plan.run.simulated_seconds {
            self.seconds.tick().await;
            self.second(second, world, plan, &mut samples).await;
        }
        Samples { hours: partial(samples.hours, plan, world), ..samples }
    }

    /// Second `second`: the weather, the samples, and a quiet instant when one is due (the
    /// seconds then count on from its end).
    async fn second(&mut self, second: u64, world: &World, plan: &Plan, samples: &mut Samples) {
        self.storm.step(second, world);
        self.restarts.step(second, world);
        samples.second(second, world, plan);
        if plan.quiet_after(second) {
            self.calm(world);
            samples.quiet.push(lull(world, second, plan).await);
            self.seconds.reset();
        }
    }

    /// The run's report, checked.
    fn report(&self, world: &World, run: SimRun, ended: Ended) -> SimReport {
        let Ended { hours, heap, server } = ended;
        let faults = self.storm.faults;
        let report = SimReport { hours, heap, faults, server, ..figures(world, run) };
        report.checked()
    }

    /// Ends every fault and starts the server if it is down.
    fn calm(&mut self, world: &World) {
        self.storm.calm(world);
        self.restarts.end(world);
    }
}

/// The hour's figures when second `second` is its last.
fn on_the_hour(second: u64, world: &World, plan: &Plan) -> Option<Hour> {
    let last = second % 3600 == 3599;
    last.then(|| Hour::sample(second / 3600 + 1, world, &plan.heap))
}

/// `hours`, with the last partial hour's figures when the run did not end on the hour.
fn partial(mut hours: Vec<Hour>, plan: &Plan, world: &World) -> Vec<Hour> {
    let simulated = plan.run.simulated_seconds;
    if simulated % 3600 != 0 {
        hours.push(Hour::sample(simulated.div_ceil(3600), world, &plan.heap));
    }
    hours
}

/// The server at the end: ghosts before and after the clients shut down, monitoring,
/// the closes it started.
async fn ending(world: &World) -> SimServer {
    until(LOOK_EVERY, || world.server_view().is_some()).await;
    let Some(server) = world.server_view() else { return SimServer::default().unseen() };
    let ghosts_at_end = ghosts(world, &server.registry).await;
    let closes = world.closes.closes(world.churned().server_closes_seen);
    let restarts = get(&world.restarts);
    SimServer { ghosts_at_end, monitoring: world.runs.summary(), closes, restarts }
}

/// Server connections without a client: once every client is back (or [`SETTLE_LIMIT`]
/// passed), and once they shut down and the server had [`RELEASE_LIMIT`] to release them.
async fn ghosts(world: &World, registry: &Registry) -> u64 {
    let all = world.clients.len();
    until(SETTLE_LIMIT, || world.connected() == all && registry.len() == all).await;
    let before = registry.len().saturating_sub(world.connected());
    world.stopping.store(true, Ordering::Relaxed);
    until(RELEASE_LIMIT, || get(&world.stopped) == all as u64 && registry.is_empty()).await;
    before.max(registry.len()) as u64
}

/// The ledgers', the churn's and the timers' figures.
fn figures(world: &World, run: SimRun) -> SimReport {
    let timers = world.timers.figures();
    let settled = world.settled();
    let delivery = world.tally();
    SimReport { run, delivery, churn: world.churned(), timers, settled, ..SimReport::default() }
}
