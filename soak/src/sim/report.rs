//! [`SimReport`]: what a simulated run found, its checks, and the command that repeats it.
//! Every field but `wall_clock` follows from the seed: two runs with the same seed write
//! the same JSON but for that one.

use super::hours::{mean_heap, Hour, Sample};
use super::ledger::Tally;
use super::lull::QuietInstants;
use super::storm::Faults;
use super::trend::{heap_trend, quiet_trend, HeapTrend};
use super::world::Churn;
use crate::report::{percent, Check, Monitored, ServerCloses};
use serde::Serialize;

/// The simulated run's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SimRun {
    /// The seed of everything random in the run.
    pub seed: u64,
    /// The command that repeats it.
    pub command: String,
    /// Simulated seconds of sending.
    pub simulated_seconds: u64,
    /// Clients, hosts, tick, sequence origin.
    #[serde(flatten)]
    pub shape: Shape,
}

/// The shape of every simulated run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Shape {
    /// Client connections.
    pub connections: usize,
    /// Hosts the clients are spread over.
    pub client_hosts: usize,
    /// The simulation's step, microseconds: every host runs this long at each step.
    pub tick_us: u64,
    /// Every session's sequence numbers start after this (near 2^32).
    pub sequence_origin: u64,
    /// Where the server keeps its sessions.
    pub store: super::store::StoreKind,
}

/// The server at the end of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SimServer {
    /// Server connections without a client, before or after the clients shut down.
    pub ghosts_at_end: u64,
    /// The monitor's lowest coverage and its runs.
    pub monitoring: Monitored,
    /// The closes the server started (each one a resume).
    pub closes: ServerCloses,
    /// Times the server host crashed and started again on its store.
    pub restarts: u64,
}

impl SimServer {
    /// The figures when the server host never started: every ghost check fails.
    pub fn unseen(self) -> SimServer {
        SimServer { ghosts_at_end: u64::MAX, ..self }
    }
}

/// The timer probe over the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TimerFigures {
    /// Timers fired.
    pub fired: u64,
    /// The latest one fired, microseconds after it was due.
    pub worst_late_us: u64,
}

/// The live heap over a run: its growth per hour with its standard error, fitted on the
/// quiet instants (the one checked) and on a sample a minute with the connected clients
/// factored out (beside it); each `None` for a run too short for a trend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HeapFigures {
    /// Fitted on the quiet instants after the first hour ([`super::lull`]).
    pub trend: Option<HeapTrend>,
    /// Fitted on a sample a minute after the first hour, the clients factored out.
    pub minutes: Option<HeapTrend>,
    /// The live heap at every quiet instant: without the server when it restarts during
    /// the run.
    pub quiet: Vec<Sample>,
    /// The server's share of the live heap at every quiet instant (empty when it never
    /// restarts).
    pub server: Vec<i64>,
    /// Quiet instants that did not come within their limit.
    pub missed: u64,
}

impl HeapFigures {
    /// The trends of the `quiet` instants' samples and of the `minutes`' samples.
    pub fn of(quiet: QuietInstants, minutes: &[Sample]) -> HeapFigures {
        let trend = quiet_trend(&quiet.samples);
        let minutes = heap_trend(minutes);
        let QuietInstants { samples, server, missed } = quiet;
        HeapFigures { trend, minutes, quiet: samples, server, missed }
    }
}

/// Wall-clock figures: the only ones that differ between two runs of one seed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct WallClock {
    /// Seconds the run took.
    pub seconds: f64,
    /// Simulated seconds per wall-clock second.
    pub speedup: f64,
}

/// What `ws-soak --simulate` prints and writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SimReport {
    /// Parameters and how to repeat the run.
    pub run: SimRun,
    /// Every client's ledger, added up.
    pub delivery: Tally,
    /// Connections, sessions and refusals.
    pub churn: Churn,
    /// Faults the storm started.
    pub faults: Faults,
    /// The server at the end.
    pub server: SimServer,
    /// The timer probe.
    pub timers: TimerFigures,
    /// The end of every simulated hour.
    pub hours: Vec<Hour>,
    /// The live heap's trends and its quiet instants.
    pub heap: HeapFigures,
    /// Whether every client received what was sent to it, or was told it is lost, by the
    /// end of the drain.
    pub settled: bool,
    /// Every check.
    pub checks: Vec<Check>,
    /// Whether every required check passed.
    pub passed: bool,
    /// Wall-clock figures (not deterministic).
    pub wall_clock: WallClock,
}

impl SimReport {
    /// Runs the checks.
    pub fn checked(mut self) -> SimReport {
        self.checks = checks(&self);
        self.passed = self.checks.iter().all(|check| check.met || !check.required);
        self
    }

    /// The report without its wall-clock figures: what two runs of one seed share.
    pub fn deterministic_json(&self) -> String {
        let without = SimReport { wall_clock: WallClock::default(), ..self.clone() };
        serde_json::to_string_pretty(&without).unwrap_or_default()
    }
}

/// A required check: its metric, its goal, how to evaluate it.
struct Spec {
    metric: &'static str,
    goal: &'static str,
    evaluate: fn(&SimReport) -> (String, bool),
}

/// Every check of a simulated run; all are required.
const SPECS: [Spec; 15] = [
    Spec { metric: "messages delivered", goal: "> 0", evaluate: delivered },
    Spec { metric: "silent losses", goal: "0", evaluate: |r| zero(r.delivery.silent_losses) },
    Spec { metric: "duplicated", goal: "0", evaluate: |r| zero(r.delivery.duplicated) },
    Spec { metric: "out of order", goal: "0", evaluate: |r| zero(r.delivery.out_of_order) },
    Spec { metric: "misdelivered", goal: "0", evaluate: |r| zero(r.churn.misdelivered) },
    Spec { metric: "ghosts at end", goal: "0", evaluate: |r| zero(r.server.ghosts_at_end) },
    Spec { metric: "clients that gave up", goal: "0", evaluate: |r| zero(r.churn.gave_up) },
    Spec { metric: "monitoring coverage", goal: "100%", evaluate: coverage },
    Spec { metric: "heap growth per hour", goal: "< 1%/day", evaluate: heap },
    Spec { metric: "quiet instants missed", goal: "0", evaluate: |r| zero(r.heap.missed) },
    Spec { metric: "timer lateness", goal: "<= 1 tick", evaluate: timers },
    Spec { metric: "faults injected", goal: "> 0", evaluate: faults },
    Spec { metric: "clients settled", goal: "all", evaluate: |r| settled(r.settled) },
    Spec { metric: "sessions restored", goal: "> 0 if restarted", evaluate: restored },
    Spec { metric: "lost in a restart", goal: "0", evaluate: |r| zero(r.churn.lost_in_restart) },
];

/// The checks of a simulated run.
fn checks(report: &SimReport) -> Vec<Check> {
    SPECS.iter().map(|spec| spec.check(report)).collect()
}

impl Spec {
    fn check(&self, report: &SimReport) -> Check {
        let (value, met) = (self.evaluate)(report);
        Check { metric: self.metric, value, goal: self.goal, required: true, met }
    }
}

fn zero(count: u64) -> (String, bool) {
    (count.to_string(), count == 0)
}

fn delivered(report: &SimReport) -> (String, bool) {
    let delivered = report.delivery.delivered;
    (delivered.to_string(), delivered > 0)
}

fn faults(report: &SimReport) -> (String, bool) {
    let total = report.faults.total();
    (total.to_string(), total > 0)
}

fn settled(settled: bool) -> (String, bool) {
    let value = if settled { "all" } else { "not all" };
    (value.to_owned(), settled)
}

/// Sessions resumed from the store on a restarted server: some, when the server restarted.
fn restored(report: &SimReport) -> (String, bool) {
    let restored = report.churn.restored;
    (restored.to_string(), restored > 0 || report.server.restarts == 0)
}

fn coverage(report: &SimReport) -> (String, bool) {
    let monitoring = report.server.monitoring;
    (percent(monitoring.coverage), monitoring.coverage >= 1.0 && monitoring.runs > 0)
}

/// The live heap grows less than 1% of its mean per 24 hours (plus 64 KiB); a run of
/// fewer than three hours shows no trend (its first is the warm-up).
fn heap(report: &SimReport) -> (String, bool) {
    let Some(trend) = report.heap.trend else {
        return ("n/a (< 3 h)".to_owned(), true);
    };
    let growth = trend.bytes_per_hour;
    let met = growth * 24.0 <= mean_heap(&report.hours) * 0.01 + 65_536.0;
    (trend.to_string(), met)
}

/// Every timer the probe set fired within one simulation step of when it was due.
fn timers(report: &SimReport) -> (String, bool) {
    let late = report.timers.worst_late_us;
    (format!("{late} us"), late <= report.run.shape.tick_us && report.timers.fired > 0)
}

/// The report as text: the run, the hours, every check.
pub fn table(report: &SimReport) -> String {
    let run = &report.run;
    let mut text =
        format!("simulated {} s, seed {}: {}\n", run.simulated_seconds, run.seed, run.command);
    report.hours.iter().for_each(|hour| text.push_str(&hour_line(hour)));
    text.push_str(&quiet_line(&report.heap));
    text.push_str(&restarts_line(report));
    report.checks.iter().for_each(|check| text.push_str(&check_line(check)));
    text + &end_line(report)
}

/// The live heap at every quiet instant (and the server's share, read apart), and the
/// trend over the minutes beside the one checked.
fn quiet_line(heap: &HeapFigures) -> String {
    let bytes: Vec<String> =
        heap.quiet.iter().map(|sample| sample.live_bytes.to_string()).collect();
    let server: Vec<String> = heap.server.iter().map(i64::to_string).collect();
    let minutes = heap.minutes.map(|trend| trend.to_string()).unwrap_or("n/a".to_owned());
    let quiet = format!("quiet instants (missed {}): heap {} B\n", heap.missed, bytes.join(", "));
    let server = format!("the server's share at each: {} B\n", server.join(", "));
    quiet + &server + &format!("heap trend over the minutes, clients factored out: {minutes}\n")
}

/// The wall clock the run took and its verdict.
fn end_line(report: &SimReport) -> String {
    let wall = report.wall_clock;
    let speed = format!("wall clock {:.1} s ({:.0}x)", wall.seconds, wall.speedup);
    format!("{speed}; passed: {}\n", report.passed)
}

/// The server's restarts and what became of the sessions across them.
fn restarts_line(report: &SimReport) -> String {
    let churn = &report.churn;
    format!(
        "server restarts {}: sessions restored from the store {}, expired meanwhile {}, lost {}\n",
        report.server.restarts, churn.restored, churn.expired_in_restart, churn.lost_in_restart
    )
}

fn hour_line(hour: &Hour) -> String {
    format!(
        "hour {:>2}: heap {} B, {} allocations, {} sent, {} delivered, {} connected, latest timer +{} us\n",
        hour.hour, hour.heap.live_bytes, hour.heap.allocations, hour.traffic.sent,
        hour.traffic.delivered, hour.connected.clients, hour.latest_timer_us
    )
}

fn check_line(check: &Check) -> String {
    let mark = if check.met { "ok  " } else { "FAIL" };
    format!("{mark} {:<22} {:>16}  (goal {})\n", check.metric, check.value, check.goal)
}
