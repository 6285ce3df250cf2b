//! [`LatencyReport`]: the latency axis side by side, with the target at 50% load
//! (reliable p99 at most raw p99 + 1 ms), as JSON or as a table.

use super::record::Percentiles;
use serde::Serialize;

/// Issue target: reliable p99 at most raw p99 plus this many microseconds, at 50% load.
pub const P99_MARGIN_US: f64 = 1000.0;
/// The load the target applies to.
pub const TARGET_LOAD: f64 = 0.5;

/// One load, raw and reliable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelReport {
    /// The fraction of raw's maximum push rate offered.
    pub load: f64,
    /// Messages per second offered, all clients together.
    pub offered_msgs_per_sec: f64,
    /// Raw tokio-tungstenite.
    pub raw: Percentiles,
    /// ReliableServer → ReliableClient.
    pub reliable: Percentiles,
}

/// What a latency run offered: its clients, raw's maximum and each load's time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencySetup {
    /// Push clients.
    pub clients: usize,
    /// Raw's maximum push rate measured first, messages per second.
    pub raw_max_msgs_per_sec: f64,
    /// Seconds each load ran.
    pub level_secs: f64,
}

/// The latency target and whether it held.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyTarget {
    /// [`P99_MARGIN_US`].
    pub p99_margin_us: f64,
    /// Whether reliable p99 ≤ raw p99 + the margin at [`TARGET_LOAD`] (`None` if not run).
    pub latency_pass: Option<bool>,
}

/// The latency run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyReport {
    /// What was offered.
    #[serde(flatten)]
    pub setup: LatencySetup,
    /// Every load, in order.
    pub levels: Vec<LevelReport>,
    /// The target.
    #[serde(flatten)]
    pub target: LatencyTarget,
}

impl LatencyReport {
    /// The report of `levels`, run with `setup`.
    pub fn new(setup: LatencySetup, levels: Vec<LevelReport>) -> Self {
        let target = LatencyTarget::of(&levels);
        LatencyReport { setup, levels, target }
    }
}

impl LatencyTarget {
    /// The target, met or not at [`TARGET_LOAD`] among `levels`.
    fn of(levels: &[LevelReport]) -> Self {
        let at_target = levels.iter().find(|level| (level.load - TARGET_LOAD).abs() < 1e-9);
        let latency_pass = at_target.map(LevelReport::meets_target);
        LatencyTarget { p99_margin_us: P99_MARGIN_US, latency_pass }
    }
}

impl LevelReport {
    /// Whether reliable p99 ≤ raw p99 + [`P99_MARGIN_US`].
    pub fn meets_target(&self) -> bool {
        self.reliable.p99_us <= self.raw.p99_us + P99_MARGIN_US
    }
}

/// The table's header.
const HEADER: &str = "| load | side | offered msgs/s | delivered msgs/s | p50 us | p99 us \
    | p99.9 us | max us |\n|---|---|---|---|---|---|---|---|\n";

/// The report as a table, one row per load and side.
pub fn table(report: &LatencyReport) -> String {
    let mut out = title(&report.setup);
    out.push_str(HEADER);
    report.levels.iter().for_each(|level| out.push_str(&level_rows(level)));
    out.push_str(&verdict(report));
    out
}

fn title(setup: &LatencySetup) -> String {
    let max = setup.raw_max_msgs_per_sec / 1e6;
    let clients = setup.clients;
    let secs = setup.level_secs;
    format!("latency: open-loop push to {clients} clients, {secs} s per load; raw max {max:.2} M msgs/s\n")
}

fn level_rows(level: &LevelReport) -> String {
    row(level, "raw", &level.raw) + &row(level, "reliable", &level.reliable)
}

fn row(level: &LevelReport, side: &str, measured: &Percentiles) -> String {
    let load = level.load * 100.0;
    let offered = level.offered_msgs_per_sec;
    format!("| {load:.0}% | {side} | {offered:.0} | {} |\n", measured.cells())
}

fn verdict(report: &LatencyReport) -> String {
    let outcome = match report.target.latency_pass {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "not measured",
    };
    format!("target: reliable p99 <= raw p99 + 1 ms at 50% load: {outcome}\n")
}
