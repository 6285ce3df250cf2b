//! One-way latency under an open-loop push: raw tokio-tungstenite's maximum push rate is
//! measured first, in the same run, then the server pushes at 10%, 50% and 90% of it to K
//! loopback clients, raw and reliable side by side ([`raw`], [`reliable`]). Each message
//! carries the time it was handed to the sink, read from one process clock ([`clock`]), and
//! its client records the time to its arrival in the application ([`record`]).
//!
//! The pacing ([`Schedule`]) is open loop: each sender owes `rate × elapsed` messages
//! whatever came back, sleeps on tokio's timer (1 ms resolution) until the next is due and
//! then sends every message due, stamped with the time of that send and with the time the
//! schedule owed it ([`latencies`]: the target is judged from the send; the figure from
//! the due time also counts a sender that ran late). A sender that falls behind shows as
//! an achieved rate below the offered one.

pub mod clock;
pub mod latencies;
pub mod raw;
pub mod record;
pub mod recorder;
pub mod reliable;
pub mod report;
pub mod rounds;

pub use record::Percentiles;
pub use report::{LatencyReport, LatencySetup, LevelReport};

use crate::args::Args;
use crate::BenchError;
use rounds::{Pooled, Round};
use std::time::Duration;
use tokio::time::Instant;

/// The loads, as fractions of raw's maximum push rate.
pub const LOADS: [f64; 3] = [0.1, 0.5, 0.9];
/// The lowest rate a [`Schedule`] keeps (one message in about 17 minutes): a fan-out
/// offers less than one broadcast a second when raw's maximum is low.
const MIN_RATE: f64 = 0.001;
/// How long each load runs when `--duration` is not given.
pub const LEVEL_TIME: Duration = Duration::from_secs(3);

/// An open-loop schedule for one sender: `total` messages, one every `period`, from `start`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// When message 0 is due.
    pub start: Instant,
    /// The time between two messages.
    pub period: Duration,
    /// Messages to send in all.
    pub total: u64,
    /// `start` on the process clock ([`clock::nanos_at`]), read once.
    pub start_nanos: u64,
}

impl Schedule {
    /// `rate` messages per second for `time`, starting now.
    pub fn new(rate: f64, time: Duration) -> Self {
        let period = Duration::from_secs_f64(1.0 / rate.max(MIN_RATE));
        let total = (time.as_secs_f64() * rate.max(MIN_RATE)) as u64;
        let start = Instant::now();
        Schedule { start, period, total, start_nanos: clock::nanos_at(start.into_std()) }
    }

    /// When message `index` is due, on the process clock ([`clock::nanos_at`]).
    #[inline]
    pub fn due_nanos(&self, index: u64) -> u64 {
        let period = u64::try_from(self.period.as_nanos()).unwrap_or(u64::MAX);
        self.start_nanos.saturating_add(period.saturating_mul(index))
    }

    /// How many messages are due by `now` (at most `total`).
    pub fn due_by(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.start).as_nanos();
        let due = elapsed / self.period.as_nanos().max(1) + 1;
        u64::try_from(due).unwrap_or(u64::MAX).min(self.total)
    }

    /// Waits until message `sent` is due; then how many are due, or `None` once all `total`
    /// were sent.
    pub async fn next(&self, sent: u64) -> Option<u64> {
        if sent >= self.total {
            return None;
        }
        let offset = self.period.saturating_mul(u32::try_from(sent).unwrap_or(u32::MAX));
        tokio::time::sleep_until(self.start + offset).await;
        Some(self.due_by(Instant::now()))
    }
}

/// Raw's maximum push rate (the push workload of `args`), then every load of [`LOADS`] in
/// `--rounds` rounds, each raw then reliable ([`rounds`]).
pub async fn run(args: &Args) -> Result<LatencyReport, BenchError> {
    let setup = setup(args).await?;
    let mut levels = Vec::new();
    for load in LOADS {
        levels.push(level(&setup, load).await?);
    }
    Ok(LatencyReport::new(setup, levels))
}

/// Raw's maximum push rate, measured or given, and each load's time and rounds.
async fn setup(args: &Args) -> Result<LatencySetup, BenchError> {
    let raw_max_msgs_per_sec = raw_max(args).await?;
    let level_secs = args.duration.unwrap_or(LEVEL_TIME).as_secs_f64();
    let raw_max_given = args.raw_max.is_some();
    let clients = args.clients;
    let rounds = args.rounds;
    Ok(LatencySetup { clients, raw_max_msgs_per_sec, raw_max_given, level_secs, rounds })
}

/// `--raw-max` if given; else raw's maximum push rate, measured with the push workload.
async fn raw_max(args: &Args) -> Result<f64, BenchError> {
    if let Some(given) = args.raw_max {
        eprintln!("ws-bench: latency: raw maximum given, {given:.0} msgs/s");
        return Ok(given);
    }
    eprintln!("ws-bench: latency: raw's maximum push rate, {} clients…", args.clients);
    let max = crate::push::raw::run(args.clients, args.workload()).await?.per_second();
    eprintln!("ws-bench: latency: raw maximum {max:.0} msgs/s");
    Ok(max)
}

/// One load: every round, each side's messages pooled over them.
async fn level(setup: &LatencySetup, load: f64) -> Result<LevelReport, BenchError> {
    let mut pooled = Pooled::new()?;
    for round in 1..=setup.rounds {
        pooled.add(&one_round(setup, load, round).await?)?;
    }
    let offered_msgs_per_sec = load * setup.raw_max_msgs_per_sec;
    Ok(LevelReport::new(load, offered_msgs_per_sec, pooled.sides()))
}

/// Round `round` of one load: raw, then reliable, each offered `load × max` messages per
/// second in all.
async fn one_round(setup: &LatencySetup, load: f64, round: u32) -> Result<Round, BenchError> {
    let rate = load * setup.raw_max_msgs_per_sec / setup.clients.max(1) as f64;
    let time = Duration::from_secs_f64(setup.level_secs);
    let raw = raw::run(setup.clients, rate, time).await?;
    measured(&format!("raw round {round}"), load, &raw.percentiles());
    let reliable = reliable::run(setup.clients, rate, time).await?;
    measured(&format!("reliable round {round}"), load, &reliable.percentiles());
    Ok(Round { raw, reliable })
}

/// Prints what one side measured at one load and, in a `trace` build, what its tasks
/// waited for ([`crate::trace`]).
fn measured(name: &str, load: f64, measured: &Percentiles) {
    progress(name, load, measured);
    #[cfg(feature = "trace")]
    crate::trace::report(name, load);
}

fn progress(name: &str, load: f64, measured: &Percentiles) {
    eprintln!(
        "ws-bench: latency {:.0}% {name}: {:.0} msgs/s, p50 {} us, p99 {} us, p99.9 {} us",
        load * 100.0,
        measured.achieved_msgs_per_sec,
        measured.p50_us,
        measured.p99_us,
        measured.p99_9_us
    );
}

#[cfg(test)]
mod tests;
