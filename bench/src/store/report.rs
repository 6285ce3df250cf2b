//! [`StoreReport`]: the store axis, raw and every store side by side with PASS or MISS per
//! issue target, and the resume storms, as one JSON object or as tables.

use super::backend::Backend;
use super::storm::{StormReport, P99_TARGET_MS};
use crate::push::Throughput;
use crate::report::{grouped, pushed, ratio, verdict, Setup};
use serde::Serialize;

/// Issue target, "memory store unchanged": the in-memory default (no store configured: the
/// server's own session table, today's behaviour) pushes at least this fraction of raw, the
/// push axis's own target. `MemoryStore` (the write-ahead path run in memory, for tests, the
/// simulation and several servers in one process) is measured beside it without a target.
pub const DEFAULT_RATIO_TARGET: f64 = 0.9;
/// Issue target: redb and Redis each at least this many durable messages per second.
pub const DURABLE_TARGET: f64 = 1_000_000.0;

/// The workload and the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreSetup {
    /// The push axis's workload: every side (raw and reliable) flushes after
    /// `raw_flush_every` fed messages.
    #[serde(flatten)]
    pub workload: Setup,
    /// How the benchmark's redis-server ran.
    pub redis_server: String,
    /// `/proc/loadavg` after the push (1, 5, 15 minutes).
    pub load_average: String,
}

/// One reliable side of the push.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreSide {
    /// Where its sessions were kept.
    pub store: Backend,
    /// Messages whose durable send completed and that their client received in order, per
    /// second (without a store, a flush means queued).
    pub durable_msgs_per_sec: f64,
    /// Over raw's rate.
    pub ratio_to_raw: f64,
    /// Its count and time.
    pub push: Throughput,
}

impl StoreSide {
    /// The side of `store` that measured `push`, beside raw's `raw_rate`.
    pub fn new(store: Backend, push: Throughput, raw_rate: f64) -> Self {
        let durable_msgs_per_sec = push.per_second();
        let ratio_to_raw = ratio(durable_msgs_per_sec, raw_rate);
        StoreSide { store, durable_msgs_per_sec, ratio_to_raw, push }
    }
}

/// The targets, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoreTargets {
    /// [`DEFAULT_RATIO_TARGET`].
    pub default_ratio_target: f64,
    /// [`DURABLE_TARGET`].
    pub durable_target_msgs_per_sec: f64,
    /// [`P99_TARGET_MS`].
    pub storm_p99_target_ms: f64,
}

impl Default for StoreTargets {
    fn default() -> Self {
        let durable_target_msgs_per_sec = DURABLE_TARGET;
        let storm_p99_target_ms = P99_TARGET_MS;
        let default_ratio_target = DEFAULT_RATIO_TARGET;
        StoreTargets { default_ratio_target, durable_target_msgs_per_sec, storm_p99_target_ms }
    }
}

/// PASS or MISS per target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Verdicts {
    /// The in-memory default, and `MemoryStore` beside it.
    #[serde(flatten)]
    pub in_memory: InMemory,
    /// Whether redb (default policy) reaches [`DURABLE_TARGET`].
    pub redb_pass: bool,
    /// Whether Redis reaches [`DURABLE_TARGET`].
    pub redis_pass: bool,
    /// Whether every storm passed (`None` without a storm).
    pub storm_pass: Option<bool>,
}

impl Verdicts {
    fn of(raw_rate: f64, stores: &[StoreSide], storms: &[StormReport]) -> Self {
        let in_memory = InMemory::of(raw_rate, stores);
        let redb_pass = rate(stores, Backend::Redb) >= DURABLE_TARGET;
        let redis_pass = rate(stores, Backend::Redis) >= DURABLE_TARGET;
        let storm_pass = (!storms.is_empty()).then(|| storms.iter().all(|storm| storm.pass));
        Verdicts { in_memory, redb_pass, redis_pass, storm_pass }
    }
}

/// The in-memory default's verdict ("memory store unchanged"), and what `MemoryStore`
/// costs beside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InMemory {
    /// The in-memory default (no store configured) over raw.
    pub default_ratio: f64,
    /// Whether `default_ratio` reaches [`DEFAULT_RATIO_TARGET`].
    pub default_pass: bool,
    /// `MemoryStore` over the in-memory default: what the write-ahead path costs without
    /// any I/O (no target).
    pub memory_store_ratio: f64,
}

impl InMemory {
    fn of(raw_rate: f64, stores: &[StoreSide]) -> Self {
        let default_rate = rate(stores, Backend::None);
        let default_ratio = ratio(default_rate, raw_rate);
        let default_pass = default_ratio >= DEFAULT_RATIO_TARGET;
        let memory_store_ratio = ratio(rate(stores, Backend::Memory), default_rate);
        InMemory { default_ratio, default_pass, memory_store_ratio }
    }
}

/// The durable rate of `store`'s side (0 if it did not run).
fn rate(stores: &[StoreSide], store: Backend) -> f64 {
    let side = stores.iter().find(|side| side.store == store);
    side.map_or(0.0, |side| side.durable_msgs_per_sec)
}

/// The store axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreReport {
    /// The workload and the machine.
    #[serde(flatten)]
    pub setup: StoreSetup,
    /// Raw tokio-tungstenite, messages delivered per second.
    pub raw_msgs_per_sec: f64,
    /// The raw run's count and time.
    pub raw_push: Throughput,
    /// Every reliable side, in run order.
    pub stores: Vec<StoreSide>,
    /// PASS or MISS per target.
    #[serde(flatten)]
    pub verdicts: Verdicts,
    /// The resume storms (none with `--storm-clients 0`).
    pub storms: Vec<StormReport>,
    /// The targets.
    #[serde(flatten)]
    pub targets: StoreTargets,
}

/// What the store axis measured, before the verdicts.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The raw push.
    pub raw: Throughput,
    /// Every reliable side.
    pub stores: Vec<StoreSide>,
    /// The storms.
    pub storms: Vec<StormReport>,
}

impl StoreReport {
    /// The report of `measured` under `setup`.
    pub fn new(setup: StoreSetup, measured: Measured) -> Self {
        let raw_msgs_per_sec = measured.raw.per_second();
        let verdicts = Verdicts::of(raw_msgs_per_sec, &measured.stores, &measured.storms);
        let Measured { raw, stores, storms } = measured;
        let targets = StoreTargets::default();
        StoreReport { setup, raw_msgs_per_sec, raw_push: raw, stores, verdicts, storms, targets }
    }
}

/// The report as two tables: the push, the storms.
pub fn table(report: &StoreReport) -> String {
    let mut out = heading(&report.setup);
    out.push_str(
        "| side | durable msgs/s | vs raw | cores busy | target |\n|---|---|---|---|---|\n",
    );
    out.push_str(&raw_row(report));
    report.stores.iter().for_each(|side| out.push_str(&side_row(side, &report.verdicts)));
    out.push_str(&storms(&report.storms));
    out
}

fn heading(setup: &StoreSetup) -> String {
    let push = &setup.workload;
    let flush = format!("a flush every {} messages", push.raw_flush_every);
    let clients = format!("{} clients, {} of {} B", push.clients, pushed(push), push.payload_bytes);
    let load = format!("load average {}", setup.load_average);
    format!("store axis: {clients}, {flush}; {load}\nredis-server {}\n", setup.redis_server)
}

fn raw_row(report: &StoreReport) -> String {
    let rate = grouped(report.raw_msgs_per_sec.round() as u64);
    let cores = report.raw_push.cores_busy();
    format!("| raw tokio-tungstenite (not durable) | {rate} | 1.00x | {cores:.2} | |\n")
}

fn side_row(side: &StoreSide, verdicts: &Verdicts) -> String {
    let rate = grouped(side.durable_msgs_per_sec.round() as u64);
    let cores = side.push.cores_busy();
    let target = target(side.store, verdicts);
    let ratio = side.ratio_to_raw;
    format!("| {} | {rate} | {ratio:.2}x | {cores:.2} | {target} |\n", side.store.label())
}

/// The target of `store`'s row, with its verdict.
fn target(store: Backend, verdicts: &Verdicts) -> String {
    match store {
        Backend::None => default_target(verdicts.in_memory.default_pass),
        Backend::Memory => memory_store_note(verdicts.in_memory.memory_store_ratio),
        Backend::Redb => durable_target(verdicts.redb_pass),
        Backend::Redis => durable_target(verdicts.redis_pass),
        Backend::RedbOsCache => String::new(),
    }
}

fn default_target(pass: bool) -> String {
    format!("unchanged, >= {DEFAULT_RATIO_TARGET}x raw: {}", verdict(pass))
}

fn memory_store_note(ratio_to_default: f64) -> String {
    format!("{ratio_to_default:.2}x the default's (write-ahead in memory; no target)")
}

fn durable_target(pass: bool) -> String {
    format!(">= 1 M/s: {}", verdict(pass))
}

fn storms(storms: &[StormReport]) -> String {
    let Some(first) = storms.first() else { return String::new() };
    let mut out = storm_heading(&first.setup);
    out.push_str(STORM_HEADER);
    storms.iter().for_each(|storm| out.push_str(&storm_row(storm)));
    out
}

fn storm_heading(setup: &super::storm::StormSetup) -> String {
    let killed = "their node killed (SIGKILL), a replacement on the same address and store";
    let backoff = format!("reconnect backoff {}", setup.reconnect_backoff);
    let from = "times from the replacement's listening";
    format!("\nresume storm: {} clients, {killed}; {backoff}; {from}\n", setup.clients)
}

const STORM_HEADER: &str = "| store | kill to listening, s | resumed | lost | not resumed | \
     p50 ms | p99 ms | max ms | target |\n|---|---|---|---|---|---|---|---|---|\n";

fn storm_row(storm: &StormReport) -> String {
    let outcome = &storm.outcome;
    let counts =
        format!("{} | {} | {}", outcome.resumed, outcome.sessions_lost, outcome.not_resumed);
    let times = &storm.times;
    let ms = format!("{:.1} | {:.1} | {:.1}", times.p50_ms, times.p99_ms, times.max_ms);
    let target = format!("p99 < {P99_TARGET_MS} ms, 0 lost: {}", verdict(storm.pass));
    let store = storm.setup.store.label();
    format!("| {store} | {:.2} | {counts} | {ms} | {target} |\n", storm.restart_secs)
}

#[cfg(test)]
mod tests;
