//! [`FanoutReport`]: the fan-out axis, raw and reliable side by side per load, as JSON or
//! as a table.

use super::cores::Measured;
use super::RawSide;
use crate::latency::LOADS;
use serde::Serialize;
use std::time::Duration;

/// What a fan-out run offered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanoutSetup {
    /// Sessions (raw: connections) each broadcast goes to.
    pub sessions: usize,
    /// Seconds each phase ran.
    pub level_secs: f64,
    /// Client processes.
    pub client_processes: usize,
    /// The reliable server's admission limits.
    pub admission: String,
}

impl FanoutSetup {
    /// `sessions` sessions, `time` per phase.
    pub fn new(sessions: usize, time: Duration, admission: String) -> Self {
        let client_processes = crate::crowd::shares(sessions).len();
        FanoutSetup { sessions, level_secs: time.as_secs_f64(), client_processes, admission }
    }

    /// Each phase's length.
    pub fn level_time(&self) -> Duration {
        Duration::from_secs_f64(self.level_secs)
    }

    /// An open-loop phase at `load` of `max_msgs` messages per second, from now.
    pub fn paced(&self, load: f64, max_msgs: f64) -> super::Paced {
        super::Paced::new(self.broadcasts_at(load, max_msgs), self.level_time(), load)
    }

    /// Broadcasts per second at `load` of `max_msgs` messages per second.
    pub fn broadcasts_at(&self, load: f64, max_msgs: f64) -> f64 {
        load * max_msgs / self.sessions.max(1) as f64
    }
}

/// One reliable load: what arrived and how many messages the server refused.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReliableLevel {
    /// What the clients received.
    pub measured: Measured,
    /// Messages `broadcast` refused (outbox full, budget).
    pub refused: u64,
}

/// A load offered: its fraction of raw's maximum, in broadcasts and messages per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OfferedLoad {
    /// The fraction of raw's maximum offered.
    pub load: f64,
    /// Broadcasts per second offered.
    pub offered_broadcasts_per_sec: f64,
    /// Messages per second offered (broadcasts × sessions).
    pub offered_msgs_per_sec: f64,
}

impl OfferedLoad {
    /// `load` of raw's `max_msgs` messages per second, over `setup`'s sessions.
    pub fn new(setup: &FanoutSetup, load: f64, max_msgs: f64) -> Self {
        let offered_broadcasts_per_sec = setup.broadcasts_at(load, max_msgs);
        OfferedLoad { load, offered_broadcasts_per_sec, offered_msgs_per_sec: load * max_msgs }
    }
}

/// One load, raw and reliable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FanoutLevel {
    /// What was offered.
    #[serde(flatten)]
    pub offered: OfferedLoad,
    /// Raw tokio-tungstenite.
    pub raw: Measured,
    /// ReliableServer::broadcast → ReliableClient.
    pub reliable: Measured,
    /// Messages ReliableServer refused.
    pub reliable_refused: u64,
}

/// The fan-out run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanoutReport {
    /// What was offered.
    #[serde(flatten)]
    pub setup: FanoutSetup,
    /// Raw's back-to-back phase.
    pub raw_max: Measured,
    /// Raw's sustainable fan-out rate, broadcasts per second.
    pub raw_max_broadcasts_per_sec: f64,
    /// Every load, in order.
    pub levels: Vec<FanoutLevel>,
}

impl FanoutReport {
    /// The report of both sides.
    pub fn new(setup: FanoutSetup, raw: RawSide, reliable: Vec<ReliableLevel>) -> Self {
        let max_msgs = raw.max.latency.achieved_msgs_per_sec;
        let raw_max_broadcasts_per_sec = setup.broadcasts_at(1.0, max_msgs);
        let count = LOADS.len().min(raw.levels.len()).min(reliable.len());
        let offered = |at: usize| OfferedLoad::new(&setup, LOADS[at], max_msgs);
        let level = |at: usize| level(offered(at), raw.levels[at], reliable[at]);
        let levels = (0..count).map(level).collect();
        FanoutReport { setup, raw_max: raw.max, raw_max_broadcasts_per_sec, levels }
    }
}

/// One load, raw and reliable.
fn level(offered: OfferedLoad, raw: Measured, reliable: ReliableLevel) -> FanoutLevel {
    FanoutLevel { offered, raw, reliable: reliable.measured, reliable_refused: reliable.refused }
}

/// The table's header.
const HEADER: &str = "| load | side | offered broadcasts/s | offered msgs/s | delivered msgs/s \
    | p50 us | p99 us | p99.9 us | max us | server cores | clients' cores | refused |\n\
    |---|---|---|---|---|---|---|---|---|---|---|---|\n";

/// The report as a table, one row per phase and side.
pub fn table(report: &FanoutReport) -> String {
    let setup = &report.setup;
    let phases =
        format!("{} s per phase, {} client processes", setup.level_secs, setup.client_processes);
    let mut out = format!("fan-out: {} sessions, {phases}\n", setup.sessions);
    out.push_str(&format!("ReliableServer admission: {}\n{HEADER}", setup.admission));
    out.push_str(&max_row(report));
    report.levels.iter().for_each(|level| out.push_str(&level_rows(level)));
    out
}

fn max_row(report: &FanoutReport) -> String {
    let broadcasts = report.raw_max_broadcasts_per_sec;
    format!("| max | raw | {broadcasts:.1} (achieved) | | {} | |\n", report.raw_max.cells())
}

fn level_rows(level: &FanoutLevel) -> String {
    let raw = row(level, "raw", &level.raw, 0);
    raw + &row(level, "reliable", &level.reliable, level.reliable_refused)
}

fn row(level: &FanoutLevel, side: &str, measured: &Measured, refused: u64) -> String {
    let load = level.offered.load * 100.0;
    let broadcasts = level.offered.offered_broadcasts_per_sec;
    let offered = level.offered.offered_msgs_per_sec;
    let cells = measured.cells();
    format!("| {load:.0}% | {side} | {broadcasts:.1} | {offered:.0} | {cells} | {refused} |\n")
}
