//! The command line of `ws-bench` and the workload it describes: a message count per
//! client, or a duration (`90`, `30s`, `2m`).

use clap::{Parser, Subcommand, ValueEnum};
use std::time::Duration;

/// Messages per client when neither `--messages` nor `--duration` is given.
pub const DEFAULT_MESSAGES: u64 = 100_000;

/// What to measure: how many push clients, how much to push, how many idle connections.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "ws-bench",
    about = "Push throughput and memory per idle connection: raw \
    tokio-tungstenite against ReliableServer/ReliableClient, in one run"
)]
pub struct Args {
    /// Concurrent push clients.
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// Messages (64 bytes each) pushed to every client [default: 100000].
    #[arg(long, conflicts_with = "duration")]
    pub messages: Option<u64>,
    /// Push for this long instead of a message count: plain seconds or 30s, 2m.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Raw then reliable this many times, alternating (1 to 20). Push and upload: the report
    /// keeps the round with the median ratio and lists every round's ratio. Latency: each
    /// load runs this many rounds; each side's percentiles are over every round's messages,
    /// and each round's p99s are listed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub rounds: u32,
    /// Idle connections for the memory measurement (fewer, with a message, when the
    /// open-file limit cannot be raised that far; 0 skips it).
    #[arg(long, default_value_t = 10_000)]
    pub idle: usize,
    /// Time the clients sending to the server (upload) instead of the server's push.
    #[arg(long)]
    pub upload: bool,
    /// Measure one-way latency instead: an open-loop push at 10%, 50% and 90% of raw's
    /// maximum push rate (measured first with the push workload), each load for
    /// `--duration` (default 3 s); no idle-memory run.
    #[arg(long, conflicts_with = "upload")]
    pub latency: bool,
    /// Latency: offer each load as a fraction of this many messages per second instead of
    /// measuring raw's maximum first, so that two builds compared are offered the same
    /// rates (the report says the maximum was given).
    #[arg(long, requires = "latency", value_parser = positive_rate)]
    pub raw_max: Option<f64>,
    /// Measure fan-out instead: `--sessions` clients in child processes, raw's sustainable
    /// broadcast rate, then an open-loop broadcast at 10%, 50% and 90% of it, raw and
    /// `ReliableServer::broadcast` (each phase `--duration`, default 3 s).
    #[arg(long, conflicts_with_all = ["upload", "latency"])]
    pub fanout: bool,
    /// Sessions (connections) the fan-out broadcasts to.
    #[arg(long, default_value_t = 10_000)]
    pub sessions: usize,
    /// Measure connections instead: one server process holding this many connections from
    /// client processes (raw, then wsr.v1 past WELCOME): RSS per connection, time to
    /// connect, idle CPU over `--duration` (default 60 s).
    #[arg(long, conflicts_with_all = ["upload", "latency", "fanout"])]
    pub connections: Option<usize>,
    /// Measure the session stores instead: the durable push per store (no store,
    /// MemoryStore, redb, Redis on a redis-server the run starts) beside raw, with a flush
    /// every 256 messages, then a resume storm per durable store (redb, Redis).
    #[arg(long, conflicts_with_all = ["upload", "latency", "fanout", "connections"])]
    pub store: bool,
    /// Clients of each resume storm of `--store` (0 skips the storms).
    #[arg(long, default_value_t = 1000)]
    pub storm_clients: usize,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Internal subcommands.
    #[command(subcommand)]
    pub internal: Option<Internal>,
}

/// Subcommands the benchmark runs itself.
#[derive(Debug, Clone, Subcommand)]
pub enum Internal {
    /// The memory probe's server process: serves idle connections on 127.0.0.1 and answers
    /// each stdin line with `<VmRSS> <VmHWM> <connections>`.
    #[command(hide = true)]
    Serve {
        /// Which server to run.
        #[arg(long, value_enum)]
        kind: ServerKind,
        /// Sessions a reliable server makes room for, with the connections axis's
        /// admission limits (`limits::many_config`); the idle probe's otherwise.
        #[arg(long)]
        capacity: Option<usize>,
    },
    /// A client process of the fan-out and connections axes: opens its clients, prints
    /// `connected <n>`, then one `phase <json>` line per phase until stdin closes.
    #[command(hide = true)]
    Clients(crate::crowd::child::CrowdArgs),
    /// A server node of the store axis's resume storm: keeps its sessions in the store
    /// given, prints `listening <address> <CLOCK_MONOTONIC ns>`, runs until killed or its
    /// stdin closes.
    #[command(hide = true)]
    StoreNode(crate::store::storm::node::NodeArgs),
    /// One side of the store axis's durable push alone (`--clients`, `--messages` or
    /// `--duration` before it): for a profiler such as `valgrind --tool=callgrind`, which
    /// should see one side only. Prints the durable messages per second.
    #[command(hide = true)]
    StorePush {
        /// The store of the server.
        #[arg(long, value_enum)]
        backend: crate::store::backend::Backend,
    },
}

/// The two servers compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServerKind {
    /// Plain tokio-tungstenite.
    Raw,
    /// `ReliableServer` (wsr.v1).
    Reliable,
}

/// How much each client is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// This many messages per client.
    Messages(u64),
    /// As many as fit in this time.
    Duration(Duration),
}

impl Args {
    /// The workload the flags ask for.
    pub fn workload(&self) -> Workload {
        match (self.duration, self.messages) {
            (Some(duration), _) => Workload::Duration(duration),
            (None, messages) => Workload::Messages(messages.unwrap_or(DEFAULT_MESSAGES)),
        }
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Workload::Messages(count) => write!(out, "{count} messages each"),
            Workload::Duration(time) => write!(out, "as many messages as fit in {time:?}"),
        }
    }
}

/// Parses a rate of messages per second: a finite number above 0.
pub fn positive_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number"))?;
    (rate.is_finite() && rate > 0.0).then_some(rate).ok_or("the rate must be above 0".into())
}

/// Parses `90`, `90s` or `2m` into a non-zero duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, minutes) = match text.strip_suffix('m') {
        Some(number) => (number, true),
        None => (text.strip_suffix('s').unwrap_or(text), false),
    };
    let seconds: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration"))?;
    let seconds = if minutes { seconds.saturating_mul(60) } else { seconds };
    (seconds > 0).then(|| Duration::from_secs(seconds)).ok_or("the duration must not be 0".into())
}

#[cfg(test)]
mod tests;
