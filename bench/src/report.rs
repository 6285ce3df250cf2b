//! [`Report`]: what a run measured, side by side, with a PASS or MISS per issue target,
//! as one JSON object or as a table.

use crate::args::Workload;
use crate::idle::IdleMemory;
use crate::payload::PAYLOAD_BYTES;
use crate::push::{Throughput, FLUSH_EVERY};
use serde::Serialize;

mod table;
pub(crate) use table::pushed;
pub use table::table;

/// Issue target: reliable push throughput at least this fraction of raw (issue 15: 0.95x;
/// the upload's own target, issue 20, is 0.9x: the table holds it to the push's line).
pub const RATIO_TARGET: f64 = 0.95;
/// Issue target: server RSS per idle wsr.v1 connection at most this many bytes (issue 20:
/// 4 KiB at 10 000 connections).
pub const IDLE_TARGET_BYTES: u64 = 4 * 1024;

/// A whole run: its setup, the push throughput and, unless skipped, the idle memory.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The workload.
    #[serde(flatten)]
    pub setup: Setup,
    /// Push throughput, raw and reliable.
    #[serde(flatten)]
    pub throughput: ThroughputReport,
    /// Server memory per idle connection, raw and reliable (absent with `--idle 0`).
    #[serde(flatten)]
    pub memory: Option<MemoryReport>,
    /// The targets.
    #[serde(flatten)]
    pub targets: Targets,
}

/// The targets, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Targets {
    /// [`RATIO_TARGET`].
    pub ratio_target: f64,
    /// [`IDLE_TARGET_BYTES`].
    pub idle_target_bytes: u64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets { ratio_target: RATIO_TARGET, idle_target_bytes: IDLE_TARGET_BYTES }
    }
}

/// The push workload.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Setup {
    /// Push clients.
    pub clients: usize,
    /// Messages pushed to each client (`None` in a timed run).
    pub messages_per_client: Option<u64>,
    /// Length of a timed run, seconds.
    pub duration_secs: Option<f64>,
    /// Bytes per message payload.
    pub payload_bytes: usize,
    /// Raw sender: a flush after this many fed messages.
    pub raw_flush_every: u64,
    /// Whether the clients sent to the server (`--upload`) instead of the server pushing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub upload: bool,
}

impl Setup {
    /// The setup of a run of `workload` to `clients` clients.
    pub fn new(clients: usize, workload: Workload) -> Self {
        let (messages_per_client, duration_secs) = per_client(workload);
        let setup = Setup { clients, messages_per_client, duration_secs, ..Setup::default() };
        Setup { payload_bytes: PAYLOAD_BYTES, raw_flush_every: FLUSH_EVERY, ..setup }
    }

    /// The same workload sent by the clients to the server.
    pub fn uploading(self) -> Self {
        Setup { upload: true, ..self }
    }

    /// What was timed: `push` or `upload`.
    pub fn direction(&self) -> &'static str {
        if self.upload {
            "upload"
        } else {
            "push"
        }
    }
}

/// Messages per client and the length of a timed run: one of them is given.
fn per_client(workload: Workload) -> (Option<u64>, Option<f64>) {
    match workload {
        Workload::Messages(count) => (Some(count), None),
        Workload::Duration(time) => (None, Some(time.as_secs_f64())),
    }
}

/// Push throughput side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThroughputReport {
    /// Raw tokio-tungstenite, messages delivered per second.
    #[serde(rename = "raw_msgs_per_sec")]
    pub raw_rate: f64,
    /// ReliableServer → ReliableClient, messages delivered per second.
    #[serde(rename = "reliable_msgs_per_sec")]
    pub reliable_rate: f64,
    /// Reliable over raw.
    pub ratio: f64,
    /// Whether `ratio` reaches [`RATIO_TARGET`].
    #[serde(rename = "throughput_pass")]
    pub pass: bool,
    /// The raw run's count and time.
    #[serde(rename = "raw_push")]
    pub raw: Throughput,
    /// The reliable run's count and time.
    #[serde(rename = "reliable_push")]
    pub reliable: Throughput,
    /// Every round's ratio, in run order (one unless `--rounds`); the figures above are
    /// the median round's.
    pub round_ratios: Vec<f64>,
}

impl ThroughputReport {
    /// The comparison of two runs.
    pub fn new(raw: Throughput, reliable: Throughput) -> Self {
        let raw_rate = raw.per_second();
        let reliable_rate = reliable.per_second();
        let ratio = ratio(reliable_rate, raw_rate);
        let pass = ratio >= RATIO_TARGET;
        let round_ratios = vec![ratio];
        ThroughputReport { raw_rate, reliable_rate, ratio, pass, raw, reliable, round_ratios }
    }

    /// The round with the median ratio (the upper one of an even count), carrying every
    /// round's ratio in run order; `None` for no round.
    pub fn median(rounds: Vec<ThroughputReport>) -> Option<Self> {
        let round_ratios: Vec<f64> = rounds.iter().map(|round| round.ratio).collect();
        let mut sorted = rounds;
        sorted.sort_by(|one, other| one.ratio.total_cmp(&other.ratio));
        let middle = sorted.len() / 2;
        let median = sorted.into_iter().nth(middle)?;
        Some(ThroughputReport { round_ratios, ..median })
    }
}

/// Server memory per idle connection side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemoryReport {
    /// Idle connections each server held.
    #[serde(rename = "idle_connections")]
    pub connections: usize,
    /// Raw tokio-tungstenite server (ReliableServer's buffers), bytes per idle connection.
    #[serde(rename = "raw_idle_bytes_per_conn")]
    pub raw_bytes: u64,
    /// ReliableServer, bytes per idle wsr.v1 connection.
    #[serde(rename = "reliable_idle_bytes_per_conn")]
    pub reliable_bytes: u64,
    /// Whether the reliable figure is within [`IDLE_TARGET_BYTES`].
    #[serde(rename = "idle_pass")]
    pub pass: bool,
    /// The raw server's readings.
    #[serde(rename = "raw_idle")]
    pub raw: IdleMemory,
    /// The reliable server's readings.
    #[serde(rename = "reliable_idle")]
    pub reliable: IdleMemory,
}

impl MemoryReport {
    /// The comparison of two servers' memory.
    pub fn new(raw: IdleMemory, reliable: IdleMemory) -> Self {
        let connections = reliable.connections;
        let raw_bytes = raw.bytes_per_connection;
        let reliable_bytes = reliable.bytes_per_connection;
        let pass = reliable_bytes <= IDLE_TARGET_BYTES;
        MemoryReport { connections, raw_bytes, reliable_bytes, pass, raw, reliable }
    }
}

/// `part / whole`, 0 when `whole` is 0.
pub fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// `1234567` as `1 234 567`.
pub fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let first = digits.len() % 3;
    let groups = (first..digits.len()).step_by(3).map(|start| &digits[start..start + 3]);
    let head = (first > 0).then(|| &digits[..first]).into_iter();
    head.chain(groups).collect::<Vec<_>>().join(" ")
}

/// PASS or MISS.
pub fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

#[cfg(test)]
mod tests;
