//! The sections of a [`Report`](super::Report), each flattened into the JSON object.

use super::ratio;
use crate::silent::{total_silent, Matched};
use crate::stats::Summary;
use serde::Serialize;

/// The run's parameters and how to repeat it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Run {
    /// Seed of every fault decision.
    pub seed: u64,
    /// The command that repeats the run.
    pub command: String,
    /// Client connections.
    pub connections: usize,
    /// Seconds spent sending.
    pub duration_seconds: f64,
    /// Requested messages per second.
    pub rate: u64,
    /// Requested fault probability per operation.
    pub fault_rate: f64,
    /// The fault kinds injected under both ends of the connections.
    pub faults: String,
}

/// Messages sent and what the clients made of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Sent, delivered, refused, skipped.
    #[serde(flatten)]
    pub traffic: Traffic,
    /// Duplicated, out of order, misdelivered: each must stay 0.
    #[serde(flatten)]
    pub anomalies: Anomalies,
}

/// Messages sent, delivered, refused and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Traffic {
    /// Accepted by the server's `send`.
    pub sent: u64,
    /// Distinct messages the clients received.
    pub delivered: u64,
    /// Sends the server refused (a full outbox: backpressure, retried later, not lost).
    pub refused_sends: u64,
    /// Numbers a client skipped (a later one came first) and never received: the lost
    /// that are gaps; the rest of the lost were still undelivered when the drain ended.
    pub skipped: u64,
}

/// Messages the clients received wrongly; a reliable run has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Anomalies {
    /// Received twice.
    pub duplicated: u64,
    /// Received after later ones (a skipped number arriving late).
    pub out_of_order: u64,
    /// Received by a client they were not for.
    pub misdelivered: u64,
}

/// Delivery figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Delivery {
    /// Sent, delivered, duplicated, out of order, misdelivered.
    #[serde(flatten)]
    pub counts: Counts,
    /// delivered / sent, a fraction (1 when nothing was sent).
    pub delivery_rate: f64,
    /// sent − delivered.
    pub lost: u64,
    /// Delivered messages per second of sending.
    pub throughput_msgs_per_second: f64,
}

impl Delivery {
    /// The delivery figures of `counts` over `seconds` of sending.
    pub fn new(counts: &Counts, seconds: f64) -> Self {
        let Traffic { sent, delivered, .. } = counts.traffic;
        let delivery_rate = ratio(delivered, sent);
        let lost = sent.saturating_sub(delivered);
        let throughput_msgs_per_second = delivered as f64 / seconds.max(f64::EPSILON);
        Delivery { counts: *counts, delivery_rate, lost, throughput_msgs_per_second }
    }
}

/// Delays and stalls injected: they slow a connection down, nothing fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Absorbed {
    /// Delayed writes.
    pub delayed_writes: u64,
    /// Stalled reads.
    pub stalled_reads: u64,
}

/// Every fault injected (delays and stalls included) under each end of the connections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sides {
    /// Under the clients' sockets.
    pub injected_under_clients: u64,
    /// Under the server's accepted sockets.
    pub injected_under_server: u64,
}

/// Fault figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Faults {
    /// Injected faults that nothing reported.
    pub silent_failures: u64,
    /// Injected failures (every matched kind).
    pub faults_injected: u64,
    /// Each kind, injected against noticed.
    pub faults: Vec<Matched>,
    /// Delays and stalls.
    pub absorbed_faults: Absorbed,
    /// Every fault, by the end it was injected under.
    #[serde(flatten)]
    pub sides: Sides,
}

impl Faults {
    /// The fault figures.
    pub fn new(faults: Vec<Matched>, absorbed_faults: Absorbed, sides: Sides) -> Self {
        let silent_failures = total_silent(&faults);
        let faults_injected = faults.iter().map(|line| line.injected).sum();
        Faults { silent_failures, faults_injected, faults, absorbed_faults, sides }
    }
}

/// The closes the server started during the run (1001, through its ws-conn registry).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ServerCloses {
    /// Closes the client answered.
    #[serde(rename = "server_closes_answered")]
    pub answered: u64,
    /// Closes the registry returned an error for (failed or timed out).
    #[serde(rename = "server_closes_failed")]
    pub failed: u64,
    /// Of those, closes whose error is the injected failed close.
    #[serde(rename = "server_closes_failed_injected")]
    pub injected: u64,
    /// Of those, closes interrupted by a force-close of their connection (a resume replaced
    /// it before it read the client's answer).
    #[serde(rename = "server_closes_failed_interrupted")]
    pub interrupted: u64,
    /// Connections the clients saw end with the server's 1001.
    #[serde(rename = "server_closes_seen_by_clients")]
    pub seen: u64,
}

/// How connections came and went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Churn {
    /// Connections that ended (ws-reconnect `Disconnected`).
    pub disconnects: u64,
    /// Connect attempts that failed (`ConnectFailed`).
    pub connect_failures: u64,
    /// Connections re-established (`Connected` with `reconnect`).
    pub reconnects: u64,
    /// Sessions the server answered SESSION_LOST for.
    pub sessions_lost: u64,
    /// Client and reconnector events the harness missed (lagged subscriptions): 0 means
    /// the per-client fault matching saw every event.
    pub events_missed: u64,
    /// The closes the server started.
    #[serde(flatten)]
    pub server_closes: ServerCloses,
}

/// Ghosts, churn and monitoring.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    /// Connection churn.
    #[serde(flatten)]
    pub churn: Churn,
    /// The server at the end of the run.
    #[serde(flatten)]
    pub server: ServerEnd,
    /// ghosts_at_end / connections, a fraction.
    pub ghost_rate: f64,
}

impl Health {
    /// The health figures of a run with `connections` clients.
    pub fn new(churn: Churn, server: ServerEnd, connections: usize) -> Self {
        let ghost_rate = server.ghosts_at_end as f64 / connections.max(1) as f64;
        Health { churn, server, ghost_rate }
    }
}

/// The server at the end of the run: what it kept, and how its monitor saw it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ServerEnd {
    /// Server connections left without a client at the end.
    pub ghosts_at_end: u64,
    /// Sessions whose outbox was full after the drain: clients that stopped acking.
    pub full_outboxes_at_end: u64,
    /// The monitor's runs.
    #[serde(flatten)]
    pub monitoring: Monitored,
}

/// The monitor's runs during the run: the lowest coverage of any, and how many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Monitored {
    /// Lowest coverage of any monitor run, a fraction (0 before the first run).
    #[serde(rename = "monitoring_coverage")]
    pub coverage: f64,
    /// Monitor runs.
    #[serde(rename = "monitor_runs")]
    pub runs: u64,
}

/// Recovery after a lost connection: from the disconnect to the next WELCOME.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recovery {
    /// Recoveries measured.
    pub recoveries: usize,
    /// Mean, seconds.
    #[serde(rename = "recovery_mean_seconds")]
    pub mean: f64,
    /// Median, seconds.
    #[serde(rename = "recovery_p50_seconds")]
    pub p50: f64,
    /// 99th percentile, seconds.
    #[serde(rename = "recovery_p99_seconds")]
    pub p99: f64,
    /// Longest, seconds.
    #[serde(rename = "recovery_max_seconds")]
    pub max: f64,
}

impl Recovery {
    /// The recovery figures of `summary`.
    pub fn new(summary: &Summary) -> Self {
        let Summary { count, mean, p50, p99, max } = *summary;
        Recovery { recoveries: count, mean, p50, p99, max }
    }
}

/// Memory: of the soak process (server and clients together, under load) and of the
/// server alone (its own process, with the run's connections idle).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    /// Peak resident set size (VmHWM) of the soak process, bytes.
    pub peak_rss_bytes: u64,
    /// Resident set growth per idle connection, both ends counted, bytes.
    pub memory_per_connection_bytes: u64,
    /// Peak resident set size of the server process with the connections idle, bytes.
    pub server_peak_rss_bytes: u64,
    /// The server's resident set growth per idle connection, bytes.
    pub server_memory_per_connection_bytes: u64,
}

impl Resources {
    /// From the soak process's peak and growth per connection; the server's figures at 0.
    pub fn new(peak_rss_bytes: u64, memory_per_connection_bytes: u64) -> Self {
        Resources { peak_rss_bytes, memory_per_connection_bytes, ..Resources::default() }
    }

    /// These figures with the server's own peak and growth per idle connection.
    pub fn with_server(self, server_peak_rss_bytes: u64, per_connection: u64) -> Self {
        let server_memory_per_connection_bytes = per_connection;
        Resources { server_peak_rss_bytes, server_memory_per_connection_bytes, ..self }
    }
}
