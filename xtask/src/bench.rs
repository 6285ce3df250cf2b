//! `cargo xtask bench`: builds the benchmark `ws-bench` in release and runs it with the
//! flags given (its defaults otherwise: 100 clients, 100 000 messages each, 10 000 idle
//! connections; `--latency`, `--upload`, `--fanout`, `--connections N` and `--store`
//! choose another axis). It measures raw tokio-tungstenite against ReliableServer/ReliableClient
//! in one run and prints PASS or MISS per issue target; the exit status is 0 whenever it
//! measured, targets missed or not.

use crate::cmd::{self, Outcome};
use std::path::PathBuf;
use std::process::Command;

/// The flags of `cargo xtask bench`, passed on to `ws-bench` when given.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Options {
    /// Concurrent push clients (default 100).
    #[arg(long)]
    pub clients: Option<usize>,
    /// 64-byte messages pushed to every client (default 100000).
    #[arg(long, conflicts_with = "duration")]
    pub messages: Option<u64>,
    /// Push for this long instead: plain seconds or 30s, 2m.
    #[arg(long)]
    pub duration: Option<String>,
    /// Idle connections for the memory measurement (default 10000; 0 skips it).
    #[arg(long)]
    pub idle: Option<usize>,
    /// Raw then reliable this many times, alternating (default 1): push and upload report
    /// the median round; latency pools every round's messages and lists each round's p99s.
    #[arg(long)]
    pub rounds: Option<u32>,
    /// Time the clients sending to the server (upload) instead of the push.
    #[arg(long)]
    pub upload: bool,
    /// Time one-way latency instead: an open-loop push at 10%, 50% and 90% of raw's
    /// maximum push rate, p50/p99/p99.9 raw and reliable.
    #[arg(long, conflicts_with = "upload")]
    pub latency: bool,
    /// Latency: offer the loads as fractions of this many msgs/s instead of measuring raw's
    /// maximum first (two builds compared at the same offered rates).
    #[arg(long, requires = "latency")]
    pub raw_max: Option<f64>,
    /// Measure fan-out instead: raw's sustainable broadcast rate to `--sessions` clients
    /// (in child processes), then an open-loop broadcast at 10%, 50% and 90% of it, raw and
    /// `ReliableServer::broadcast`: delivered rate and p99 latency.
    #[arg(long, conflicts_with_all = ["upload", "latency"])]
    pub fanout: bool,
    /// Sessions the fan-out broadcasts to (default 10000).
    #[arg(long)]
    pub sessions: Option<usize>,
    /// Measure connections instead: one server process holding this many (raw, then wsr.v1
    /// past WELCOME) from client processes: RSS per connection, time to connect, idle CPU.
    #[arg(long, conflicts_with_all = ["upload", "latency", "fanout"])]
    pub connections: Option<usize>,
    /// Measure the session stores instead: the durable push per store (none, memory, redb,
    /// Redis on a redis-server the run starts) beside raw, then a resume storm per durable
    /// store after a SIGKILL of the node.
    #[arg(long, conflicts_with_all = ["upload", "latency", "fanout", "connections"])]
    pub store: bool,
    /// Clients of each resume storm of `--store` (default 1000; 0 skips the storms).
    #[arg(long)]
    pub storm_clients: Option<usize>,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl Options {
    /// The `ws-bench` arguments for these options.
    pub fn bench_args(&self) -> Vec<String> {
        let flags = self.flags().into_iter().chain(self.axis_flags());
        let given = flags.filter_map(|(flag, value)| Some([flag.into(), value?]));
        let switches = self.switches().into_iter().filter(|(on, _)| *on);
        given.flatten().chain(switches.map(|(_, flag)| flag.to_owned())).collect()
    }

    /// Each flag with its value, if given.
    fn flags(&self) -> [(&'static str, Option<String>); 6] {
        [
            ("--clients", shown(self.clients)),
            ("--messages", shown(self.messages)),
            ("--duration", self.duration.clone()),
            ("--idle", shown(self.idle)),
            ("--rounds", shown(self.rounds)),
            ("--raw-max", shown(self.raw_max)),
        ]
    }

    /// The fan-out's, the connections' and the store axis's flags with their values, if
    /// given.
    fn axis_flags(&self) -> [(&'static str, Option<String>); 3] {
        [
            ("--sessions", shown(self.sessions)),
            ("--connections", shown(self.connections)),
            ("--storm-clients", shown(self.storm_clients)),
        ]
    }

    /// Each switch, whether on.
    fn switches(&self) -> [(bool, &'static str); 5] {
        [
            (self.upload, "--upload"),
            (self.latency, "--latency"),
            (self.fanout, "--fanout"),
            (self.store, "--store"),
            (self.json, "--json"),
        ]
    }
}

fn shown<T: ToString>(value: Option<T>) -> Option<String> {
    value.as_ref().map(ToString::to_string)
}

/// Builds `ws-bench` in release and runs it with `options`.
pub fn run(options: &Options) -> Outcome {
    if !cmd::status(cmd::cargo(&["build", "--release", "-p", "ws-bench"]))? {
        return Err("building ws-bench failed".into());
    }
    let mut bench = Command::new(binary());
    bench.args(options.bench_args()).current_dir(cmd::workspace_root());
    eprintln!("$ {} {}", bench.get_program().to_string_lossy(), options.bench_args().join(" "));
    let status = bench.status().map_err(|error| format!("cannot run ws-bench: {error}"))?;
    verdict(status.code())
}

/// The release binary, in `CARGO_TARGET_DIR` or the workspace's `target/`.
fn binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from);
    let target = target.unwrap_or_else(|| cmd::workspace_root().join("target"));
    target.join("release").join("ws-bench")
}

/// 0: it measured (targets are reported, not enforced); anything else: it could not.
fn verdict(code: Option<i32>) -> Outcome {
    match code {
        Some(0) => Ok(true),
        other => Err(format!("ws-bench could not measure (exit status {other:?})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_flags_are_passed_on() {
        assert!(Options::default().bench_args().is_empty());
        let options =
            Options { clients: Some(1000), idle: Some(0), json: true, ..Options::default() };
        assert_eq!(options.bench_args(), ["--clients", "1000", "--idle", "0", "--json"]);
        let timed = Options { duration: Some("30s".into()), messages: None, ..Options::default() };
        assert_eq!(timed.bench_args(), ["--duration", "30s"]);
        let rounds = Options { rounds: Some(3), ..Options::default() };
        assert_eq!(rounds.bench_args(), ["--rounds", "3"]);
        let counted = Options { messages: Some(5), ..Options::default() };
        assert_eq!(counted.bench_args(), ["--messages", "5"]);
        let upload = Options { upload: true, json: true, ..Options::default() };
        assert_eq!(upload.bench_args(), ["--upload", "--json"]);
        let latency = Options { latency: true, ..Options::default() };
        assert_eq!(latency.bench_args(), ["--latency"]);
        let given = Options { latency: true, raw_max: Some(7.5e6), ..Options::default() };
        assert_eq!(given.bench_args(), ["--raw-max", "7500000", "--latency"]);
        let fanout = Options { fanout: true, sessions: Some(500), ..Options::default() };
        assert_eq!(fanout.bench_args(), ["--sessions", "500", "--fanout"]);
        let connections = Options { connections: Some(19_000), ..Options::default() };
        assert_eq!(connections.bench_args(), ["--connections", "19000"]);
        let store = Options { store: true, storm_clients: Some(200), ..Options::default() };
        assert_eq!(store.bench_args(), ["--storm-clients", "200", "--store"]);
    }

    #[test]
    fn only_a_failed_measurement_fails() {
        assert_eq!(verdict(Some(0)), Ok(true));
        assert!(verdict(Some(2)).unwrap_err().contains("could not measure"));
        assert!(verdict(None).is_err());
        assert!(binary().ends_with("release/ws-bench"));
    }
}
