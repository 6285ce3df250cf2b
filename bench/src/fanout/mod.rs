//! Fan-out (`--fanout`): one message to many sessions. The server runs in this process
//! and its `--sessions` clients (default 10 000) in `ws-bench clients` child processes
//! ([`crate::crowd`]), from source addresses across 127.0.0.0/8. First raw's sustainable
//! fan-out rate: one loop per core writes each broadcast to every socket of its share, back
//! to back for `--duration` (default 3 s); the delivered rate counts until the last
//! client's end marker. Then an open-loop broadcast at 10%, 50% and 90% of it, raw (the
//! same loops, paced) then reliable ([`ReliableServer::broadcast`](ws_reliability::server::ReliableServer::broadcast)
//! to every session). Each broadcast is stamped with the time it was due, on
//! `CLOCK_MONOTONIC` ([`crate::mono`], one clock for both processes), so a server that
//! falls behind shows it in the latency; the clients check the order and that every
//! queued message arrived.

pub mod cores;
pub mod raw;
pub mod reliable;
pub mod report;

use crate::args::{Args, ServerKind};
use crate::crowd::Crowd;
use crate::latency::{clock, Percentiles, Schedule, LEVEL_TIME, LOADS};
use crate::{limits, mono, BenchError};
use cores::{Cores, CpuMark, Measured};
use raw::RawFanout;
use reliable::ReliableFanout;
use report::{FanoutReport, FanoutSetup, ReliableLevel};
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::time::Instant;
use ws_reliability::Message;

/// How long the clients may take to report a phase once the server has sent it.
const PHASE_LIMIT: Duration = Duration::from_secs(300);

/// What a raw shard does in a phase.
#[derive(Debug, Clone, Copy)]
pub enum Plan {
    /// Broadcast back to back until then.
    Flat(Instant),
    /// Broadcast open loop.
    Paced(Paced),
}

/// An open-loop broadcast schedule, with its start on `CLOCK_MONOTONIC` for the stamps.
#[derive(Debug, Clone, Copy)]
pub struct Paced {
    /// When each broadcast is due.
    pub schedule: Schedule,
    /// `CLOCK_MONOTONIC` nanoseconds at the schedule's start.
    pub start_nanos: u64,
    /// The fraction of raw's maximum it offers.
    pub load: f64,
}

impl Paced {
    /// `rate` broadcasts per second for `time` (`load` of raw's maximum), from now.
    pub fn new(rate: f64, time: Duration, load: f64) -> Self {
        Paced { schedule: Schedule::new(rate, time), start_nanos: mono::now_nanos(), load }
    }

    /// Broadcasts `indices`, each stamped with the time it was due.
    pub fn messages(&self, indices: Range<u64>) -> Vec<Message> {
        let period = u64::try_from(self.schedule.period.as_nanos()).unwrap_or(u64::MAX);
        let due = |index: u64| self.start_nanos.saturating_add(period.saturating_mul(index));
        indices.map(|index| clock::stamped(index, due(index))).collect()
    }
}

/// Raw's maximum, then every load raw, then every load reliable.
pub async fn run(args: &Args, exe: &Path) -> Result<FanoutReport, BenchError> {
    let sessions = args.sessions;
    limits::enough_files(sessions)?;
    let admission = limits::admission(&limits::many_config(sessions));
    let setup = FanoutSetup::new(sessions, args.duration.unwrap_or(LEVEL_TIME), admission);
    eprintln!("ws-bench: fan-out to {sessions} sessions; ReliableServer: {}", setup.admission);
    let raw = raw_side(&setup, exe).await?;
    let reliable = reliable_side(&setup, exe, raw.max.latency.achieved_msgs_per_sec).await?;
    Ok(FanoutReport::new(setup, raw, reliable))
}

/// Raw's maximum and every load.
pub struct RawSide {
    /// The back-to-back phase.
    pub max: Measured,
    /// Each load of [`LOADS`].
    pub levels: Vec<Measured>,
}

async fn raw_side(setup: &FanoutSetup, exe: &Path) -> Result<RawSide, BenchError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut crowd = Crowd::spawn(exe, ServerKind::Raw, listener.local_addr()?, setup.sessions)?;
    let mut server = RawFanout::accept(&listener, setup.sessions).await?;
    crowd.connected().await?;
    let max = raw_max(&mut server, &mut crowd, setup).await?;
    let max_msgs = max.latency.achieved_msgs_per_sec;
    let levels = raw_levels(&mut server, &mut crowd, setup, max_msgs).await?;
    Ok(RawSide { max, levels })
}

async fn raw_max(
    server: &mut RawFanout,
    crowd: &mut Crowd,
    setup: &FanoutSetup,
) -> Result<Measured, BenchError> {
    eprintln!("ws-bench: fan-out: raw's maximum, back to back for {} s…", setup.level_secs);
    let mut phase = Phase::begin("raw max".into(), mono::now_nanos(), crowd);
    phase.sent = server.phase(Plan::Flat(Instant::now() + setup.level_time())).await?;
    measure(crowd, setup, phase).await
}

async fn raw_levels(
    server: &mut RawFanout,
    crowd: &mut Crowd,
    setup: &FanoutSetup,
    max_msgs: f64,
) -> Result<Vec<Measured>, BenchError> {
    let mut levels = Vec::new();
    for load in LOADS {
        let paced = setup.paced(load, max_msgs);
        let mut phase = Phase::begin(label("raw", load), paced.start_nanos, crowd);
        phase.sent = server.phase(Plan::Paced(paced)).await?;
        levels.push(measure(crowd, setup, phase).await?);
    }
    Ok(levels)
}

async fn reliable_side(
    setup: &FanoutSetup,
    exe: &Path,
    max_msgs: f64,
) -> Result<Vec<ReliableLevel>, BenchError> {
    let server = ReliableFanout::start(setup.sessions).await?;
    let mut crowd = Crowd::spawn(exe, ServerKind::Reliable, server.addr(), setup.sessions)?;
    crowd.connected().await?;
    server.holding(setup.sessions).await?;
    let levels = reliable_levels(&server, &mut crowd, setup, max_msgs).await;
    drop(crowd);
    server.shutdown().await;
    levels
}

async fn reliable_levels(
    server: &ReliableFanout,
    crowd: &mut Crowd,
    setup: &FanoutSetup,
    max_msgs: f64,
) -> Result<Vec<ReliableLevel>, BenchError> {
    let mut levels = Vec::new();
    for load in LOADS {
        let paced = setup.paced(load, max_msgs);
        levels.push(reliable_level(server, crowd, setup, paced).await?);
    }
    Ok(levels)
}

/// One reliable phase.
async fn reliable_level(
    server: &ReliableFanout,
    crowd: &mut Crowd,
    setup: &FanoutSetup,
    paced: Paced,
) -> Result<ReliableLevel, BenchError> {
    let mut phase = Phase::begin(label("reliable", paced.load), paced.start_nanos, crowd);
    let broadcasts = server.phase(paced).await?;
    phase.sent = broadcasts.queued;
    let measured = measure(crowd, setup, phase).await?;
    Ok(ReliableLevel { measured, refused: broadcasts.refused })
}

/// The clients' report of `phase`, checked against the messages sent: the delivered rate
/// over the phase (from its start to the last arrival, or its length if that was sooner:
/// an open-loop phase that kept up delivers the offered rate).
async fn measure(
    crowd: &mut Crowd,
    setup: &FanoutSetup,
    phase: Phase,
) -> Result<Measured, BenchError> {
    let line = crowd.phase(PHASE_LIMIT).await?;
    let cores = Cores::since(phase.cpu, crowd);
    crate::push::verify(vec![phase.sent], vec![line.delivered])?;
    let seconds = phase.seconds(line.last_arrival_nanos).max(setup.level_secs);
    let latency = Percentiles::of(&line.histogram()?, seconds);
    progress(&phase.name, &latency, line.clients);
    Ok(Measured { latency, cores })
}

/// A phase the server ran: its name, its start on `CLOCK_MONOTONIC` and in CPU time, the
/// messages sent.
struct Phase {
    name: String,
    start_nanos: u64,
    cpu: CpuMark,
    sent: u64,
}

impl Phase {
    /// Phase `name`, started at `start_nanos`, nothing sent yet.
    fn begin(name: String, start_nanos: u64, crowd: &Crowd) -> Self {
        Phase { name, start_nanos, cpu: CpuMark::now(crowd), sent: 0 }
    }

    /// Seconds from its start to `last_arrival` (nanoseconds).
    fn seconds(&self, last_arrival: u64) -> f64 {
        span_secs(self.start_nanos, last_arrival)
    }
}

/// Seconds from `start` to `end` (nanoseconds; none when `end` came first).
fn span_secs(start: u64, end: u64) -> f64 {
    end.saturating_sub(start) as f64 / 1e9
}

fn label(side: &str, load: f64) -> String {
    format!("{side} {:.0}%", load * 100.0)
}

fn progress(name: &str, measured: &Percentiles, sessions: usize) {
    let rate = measured.achieved_msgs_per_sec;
    let broadcasts = rate / sessions.max(1) as f64;
    let latency = format!("p50 {:.0} us, p99 {:.0} us", measured.p50_us, measured.p99_us);
    eprintln!(
        "ws-bench: fan-out {name}: {rate:.0} msgs/s ({broadcasts:.1} broadcasts/s), {latency}"
    );
}

#[cfg(test)]
mod tests;
