//! [`LatencyReport`]: the latency axis side by side, with the target at 50% load
//! (reliable p99 at most raw p99 + 1 ms, on the messages of every round pooled), as JSON or
//! as a table.

use super::record::Percentiles;
use super::rounds::{Cores, FromDue, RoundP99, Sides, WorkerLoads};
use serde::Serialize;

/// Issue target: reliable p99 at most raw p99 plus this many microseconds, at 50% load.
pub const P99_MARGIN_US: f64 = 1000.0;
/// The load the target applies to.
pub const TARGET_LOAD: f64 = 0.5;

/// One load, raw and reliable, each over every round's messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelReport {
    /// The fraction of raw's maximum push rate offered.
    pub load: f64,
    /// Messages per second offered, all clients together.
    pub offered_msgs_per_sec: f64,
    /// Raw tokio-tungstenite.
    pub raw: Percentiles,
    /// ReliableServer → ReliableClient.
    pub reliable: Percentiles,
    /// Each round's p99s, in run order.
    pub rounds: Vec<RoundP99>,
    /// The cores the process kept busy while each side ran.
    pub cores: Cores,
    /// Each side's figures with every message counted from the time it was due.
    pub from_due: FromDue,
    /// What the runtime's workers counted while each side ran.
    pub workers: WorkerLoads,
}

/// What a latency run offered: its clients, raw's maximum and each load's time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencySetup {
    /// Push clients.
    pub clients: usize,
    /// Raw's maximum push rate measured first (or given), messages per second.
    pub raw_max_msgs_per_sec: f64,
    /// Whether that maximum was given (`--raw-max`) instead of measured in this run.
    pub raw_max_given: bool,
    /// Seconds each side of each round of each load ran.
    pub level_secs: f64,
    /// Rounds of each load, raw then reliable alternating.
    pub rounds: u32,
}

/// The latency target and whether it held.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyTarget {
    /// [`P99_MARGIN_US`].
    pub p99_margin_us: f64,
    /// Whether reliable p99 ≤ raw p99 + the margin at [`TARGET_LOAD`], every round's
    /// messages pooled (`None` if not run).
    pub latency_pass: Option<bool>,
    /// In how many rounds at [`TARGET_LOAD`] that held round by round (`None` if not run).
    pub rounds_within_margin: Option<usize>,
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
        let rounds_within_margin = at_target.map(LevelReport::rounds_within);
        LatencyTarget { p99_margin_us: P99_MARGIN_US, latency_pass, rounds_within_margin }
    }
}

impl LevelReport {
    /// The report of one load offered `offered_msgs_per_sec`, from what its rounds measured.
    pub fn new(load: f64, offered_msgs_per_sec: f64, sides: Sides) -> Self {
        let Sides { raw, reliable, rounds, cores, from_due, workers } = sides;
        LevelReport { load, offered_msgs_per_sec, raw, reliable, rounds, cores, from_due, workers }
    }

    /// In how many rounds reliable's p99 was within the margin of raw's in the same round.
    pub fn rounds_within(&self) -> usize {
        let within = |round: &&RoundP99| round.reliable_p99_us <= round.raw_p99_us + P99_MARGIN_US;
        self.rounds.iter().filter(within).count()
    }

    /// Whether reliable p99 ≤ raw p99 + [`P99_MARGIN_US`].
    pub fn meets_target(&self) -> bool {
        self.reliable.p99_us <= self.raw.p99_us + P99_MARGIN_US
    }
}

/// The table's header.
const HEADER: &str = "| load | side | offered msgs/s | delivered msgs/s | p50 us | p99 us \
    | p99.9 us | max us | cores |\n|---|---|---|---|---|---|---|---|---|\n";

/// The report as a table, one row per load and side.
pub fn table(report: &LatencyReport) -> String {
    let mut out = title(&report.setup);
    out.push_str(HEADER);
    report.levels.iter().for_each(|level| out.push_str(&level_rows(level)));
    report.levels.iter().for_each(|level| out.push_str(&rounds_line(level)));
    report.levels.iter().for_each(|level| out.push_str(&due_line(level)));
    report.levels.iter().for_each(|level| out.push_str(&workers_line(level)));
    out.push_str(&verdict(report));
    out
}

fn title(setup: &LatencySetup) -> String {
    let clients = setup.clients;
    let secs = setup.level_secs;
    let rounds = setup.rounds;
    let each = format!("{secs} s per load and side, {rounds} round(s) of raw then reliable");
    format!("latency: open-loop push to {clients} clients, {each}; {}\n", raw_max(setup))
}

/// Raw's maximum, and whether this run measured it or was given it.
fn raw_max(setup: &LatencySetup) -> String {
    let max = setup.raw_max_msgs_per_sec / 1e6;
    let how = if setup.raw_max_given { "given" } else { "measured" };
    format!("raw max {max:.2} M msgs/s ({how})")
}

/// Each round's p99s of a load run in more than one round; nothing for one round.
fn rounds_line(level: &LevelReport) -> String {
    if level.rounds.len() < 2 {
        return String::new();
    }
    let pairs: Vec<String> = level.rounds.iter().map(RoundP99::pair).collect();
    let load = level.load * 100.0;
    let within = format!("within raw + 1 ms in {} of {}", level.rounds_within(), pairs.len());
    format!("{load:.0}%: p99 per round, raw / reliable us: {}; {within}\n", pairs.join(", "))
}

/// A load's p50 and p99 with each message counted from the time it was due.
fn due_line(level: &LevelReport) -> String {
    let FromDue { raw, reliable } = level.from_due;
    let p50 = format!("p50 {:.0} / {:.0} us", raw.p50_us, reliable.p50_us);
    let p99 = format!("p99 {:.0} / {:.0} us", raw.p99_us, reliable.p99_us);
    format!(
        "{:.0}%: from each message's due time, raw / reliable: {p50}, {p99}\n",
        level.load * 100.0
    )
}

/// What tokio's workers counted at a load: busy cores and parks per second, each side.
fn workers_line(level: &LevelReport) -> String {
    let WorkerLoads { raw, reliable } = level.workers;
    let busy = format!("busy {:.2} / {:.2} cores", raw.busy_cores, reliable.busy_cores);
    let parks =
        format!("parked {:.0} / {:.0} times a second", raw.parks_per_sec, reliable.parks_per_sec);
    format!("{:.0}%: tokio's workers, raw / reliable: {busy}, {parks}\n", level.load * 100.0)
}

fn level_rows(level: &LevelReport) -> String {
    let raw = Side { name: "raw", measured: &level.raw, cores: level.cores.raw };
    let reliable =
        Side { name: "reliable", measured: &level.reliable, cores: level.cores.reliable };
    row(level, &raw) + &row(level, &reliable)
}

/// One side's row of a load.
struct Side<'a> {
    name: &'a str,
    measured: &'a Percentiles,
    cores: f64,
}

fn row(level: &LevelReport, side: &Side<'_>) -> String {
    let load = level.load * 100.0;
    let offered = level.offered_msgs_per_sec;
    let cells = side.measured.cells();
    format!("| {load:.0}% | {} | {offered:.0} | {cells} | {:.2} |\n", side.name, side.cores)
}

fn verdict(report: &LatencyReport) -> String {
    let outcome = match report.target.latency_pass {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "not measured",
    };
    format!("target: reliable p99 <= raw p99 + 1 ms at 50% load: {outcome}\n")
}
