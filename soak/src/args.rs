//! The command line of `ws-soak` and the duration syntax it accepts (`90`, `30s`, `10m`, `24h`).

use crate::report::Run;
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;
use ws_reliability::fault::FaultKind;

/// The longest run the plan asks for.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// Every fault kind, the default of `--faults`.
pub const DEFAULT_FAULTS: &str = "kill,write_error,delay,stall,failed_close";

/// What to run: how many clients, how long, how fast, how faulty.
#[derive(Debug, Clone, Parser)]
#[command(name = "ws-soak", about = "Soak and chaos run of ReliableServer and ReliableClients")]
pub struct Args {
    /// Concurrent client connections.
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// How long messages are sent: plain seconds or 30s, 10m, 24h (at most 24h).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Messages per second the server sends, summed over every client.
    #[arg(long, default_value_t = 20_000)]
    pub rate: u64,
    /// Probability per read or write, on either end of a connection, of each fault kind
    /// (kill, write error, delay, stall); a close the server starts fails (failed_close,
    /// server end only), the chaos health check fails (per run) and the chaos sync callback
    /// fails (per call) with 200 times this probability, capped at 1.
    #[arg(long, default_value_t = 0.0005)]
    pub fault_rate: f64,
    /// The fault kinds injected under both ends of the connections, comma-separated.
    #[arg(long, default_value = DEFAULT_FAULTS, value_parser = parse_kinds)]
    pub faults: Kinds,
    /// Seed of every fault decision (random when absent; always printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Simulate this long instead (30m, 2h, 24h): the soak under turmoil's simulated network
    /// and clock, deterministic from `--seed` (needs the `simulation` feature).
    #[arg(long, value_parser = parse_duration)]
    pub simulate: Option<Duration>,
    /// With `--simulate`: crash the server host and start it again on its store this often
    /// (default 5m; 0 for never).
    #[arg(long, value_parser = parse_every)]
    pub restart_every: Option<Duration>,
    /// With `--simulate`: where the simulated server keeps its sessions across its restarts,
    /// a redb file (default) or a memory store.
    #[cfg(feature = "simulation")]
    #[arg(long, value_enum, default_value_t)]
    pub store: crate::sim::store::StoreKind,
    /// Simulation only, hidden: a planted leak, bytes the driver allocates and keeps every
    /// simulated minute, which the heap check must catch (learnings § 21).
    #[cfg(feature = "simulation")]
    #[arg(long, hide = true)]
    pub plant_leak: Option<u64>,
    /// Internal: run as the server process of the memory probe.
    #[arg(long, hide = true)]
    pub serve_idle: bool,
    /// Where the JSON report is always written.
    #[arg(long, default_value = "target/reliability/report.json")]
    pub out: PathBuf,
}

/// Fault kinds, as `--faults` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kinds(pub Vec<FaultKind>);

impl std::fmt::Display for Kinds {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let labels: Vec<_> = self.0.iter().map(|kind| kind.label()).collect();
        out.write_str(&labels.join(","))
    }
}

/// Parses `kill,write_error,delay,stall,failed_close` (any subset, in any order; empty for
/// none).
pub fn parse_kinds(text: &str) -> Result<Kinds, String> {
    let words = text.split(',').map(str::trim).filter(|word| !word.is_empty());
    words.map(kind).collect::<Result<_, _>>().map(Kinds)
}

fn kind(word: &str) -> Result<FaultKind, String> {
    let found = FaultKind::ALL.into_iter().find(|kind| kind.label() == word);
    found.ok_or_else(|| format!("unknown fault `{word}`: use {}", DEFAULT_FAULTS))
}

/// Parses `90`, `90s`, `10m` or `24h` into a duration between 1 s and [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration"))?;
    let seconds = number.checked_mul(unit_seconds(unit)?).ok_or("duration overflows")?;
    bounded(Duration::from_secs(seconds))
}

fn unit_seconds(unit: &str) -> Result<u64, String> {
    match unit {
        "" | "s" => Ok(1),
        "m" => Ok(60),
        "h" => Ok(3600),
        other => Err(format!("unknown unit `{other}`: use s, m or h (e.g. 30s, 10m, 24h)")),
    }
}

fn bounded(duration: Duration) -> Result<Duration, String> {
    match duration {
        Duration::ZERO => Err("the duration must be at least 1s".into()),
        long if long > MAX_DURATION => Err("the duration must be at most 24h".into()),
        fine => Ok(fine),
    }
}

/// Parses an interval: `0` for never, else as [`parse_duration`].
pub fn parse_every(text: &str) -> Result<Duration, String> {
    match text.trim() {
        "0" | "0s" => Ok(Duration::ZERO),
        other => parse_duration(other),
    }
}

/// The human form of a duration as `--duration` takes it back (`90s`, `10m`, `24h`).
pub fn format_duration(duration: Duration) -> String {
    match duration.as_secs() {
        hours if hours % 3600 == 0 => format!("{}h", hours / 3600),
        minutes if minutes % 60 == 0 => format!("{}m", minutes / 60),
        seconds => format!("{seconds}s"),
    }
}

impl Args {
    /// The parameters of this run, for the report.
    pub fn run(&self, seed: u64, duration_seconds: f64) -> Run {
        let connections = self.connections;
        let rate = self.rate;
        let fault_rate = self.fault_rate;
        let command = self.reproduce(seed);
        let faults = self.faults.to_string();
        Run { seed, command, connections, duration_seconds, rate, fault_rate, faults }
    }

    /// The exact command that repeats this run with `seed`.
    pub fn reproduce(&self, seed: u64) -> String {
        let Args { connections, rate, fault_rate, faults, .. } = self;
        let duration = format_duration(self.duration);
        format!(
            "cargo xtask reliability --connections {connections} --duration {duration} \
             --rate {rate} --fault-rate {fault_rate} --faults {faults} --seed {seed}"
        )
    }
}

#[cfg(test)]
mod tests;
