//! `cargo xtask reliability`: builds the soak harness `ws-soak` in release and runs it with
//! the flags given (its defaults otherwise: 1000 connections for 60 s). The exit status is
//! the harness's: 0 when every success metric was met. With `--simulate DURATION`, the
//! simulated soak instead ([`simulate`]).

pub mod determinism;
mod simulate;

use crate::cmd::{self, Outcome};
use std::path::PathBuf;
use std::process::Command;

/// The flags of `cargo xtask reliability`, passed on to `ws-soak` when given.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Options {
    /// Concurrent client connections (default 1000).
    #[arg(long)]
    pub connections: Option<usize>,
    /// How long to send: plain seconds or 30s, 10m, 24h (default 60s).
    #[arg(long)]
    pub duration: Option<String>,
    /// Messages per second sent by the server, over all clients (default 20000).
    #[arg(long)]
    pub rate: Option<u64>,
    /// Probability per client read or write of each fault kind (default 0.0005).
    #[arg(long)]
    pub fault_rate: Option<f64>,
    /// Fault kinds injected, comma-separated (default kill,write_error,delay,stall).
    #[arg(long)]
    pub faults: Option<String>,
    /// Seed of the faults (random by default, always printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Simulate this long instead (30m, 2h, 24h): 100 clients under turmoil's simulated
    /// network and clock, deterministic from `--seed`; `--kill-server-every` sets how often
    /// the simulated server restarts (default 5m, 0 for never), `--store redb|memory` where
    /// it keeps its sessions (default redb, a file reopened at every restart); the other
    /// flags do not apply.
    #[arg(long)]
    pub simulate: Option<String>,
    /// With `--simulate`, hidden: a planted leak of this many bytes every simulated minute,
    /// which the heap check must catch.
    #[arg(long, hide = true)]
    pub plant_leak: Option<u64>,
    /// Sessions in a store, server nodes as child processes killed on schedule.
    #[command(flatten)]
    pub cluster: nodes::Cluster,
}

impl Options {
    /// The short variant `cargo xtask ci` runs: 100 connections for 10 s, every fault
    /// kind, seed 1.
    pub fn short() -> Self {
        let connections = Some(100);
        let duration = Some("10s".to_owned());
        Options { connections, duration, seed: Some(1), ..Options::default() }
    }

    /// The simulated variant `cargo xtask ci` runs: 2 simulated hours, seed 1.
    pub fn simulated() -> Self {
        Options { simulate: Some("2h".to_owned()), seed: Some(1), ..Options::default() }
    }

    /// The `ws-soak` arguments for these options.
    pub fn soak_args(&self) -> Vec<String> {
        let given =
            self.flags().into_iter().filter_map(|(flag, value)| Some([flag.into(), value?]));
        given.flatten().chain(self.json.then(|| "--json".to_owned())).collect()
    }

    /// Each flag with its value, if given.
    fn flags(&self) -> [(&'static str, Option<String>); 6] {
        [
            ("--connections", shown(self.connections)),
            ("--duration", self.duration.clone()),
            ("--rate", shown(self.rate)),
            ("--fault-rate", shown(self.fault_rate)),
            ("--faults", self.faults.clone()),
            ("--seed", shown(self.seed)),
        ]
    }
}

fn shown<T: ToString>(value: Option<T>) -> Option<String> {
    value.as_ref().map(ToString::to_string)
}

/// Builds `ws-soak` in release and runs it with `options` (the simulated soak with
/// `--simulate`).
pub fn run(options: &Options) -> Outcome {
    if let Some(duration) = &options.simulate {
        return simulate::run(duration, options);
    }
    if options.cluster.wanted() {
        return nodes::run(options);
    }
    in_process(options)
}

/// The in-process soak (`ws-soak`), on loopback and the wall clock.
fn in_process(options: &Options) -> Outcome {
    if !cmd::status(cmd::cargo(&["build", "--release", "-p", "ws-soak"]))? {
        return Err("building ws-soak failed".into());
    }
    let mut soak = Command::new(binary(&target()));
    soak.args(options.soak_args()).current_dir(cmd::workspace_root());
    verdict(exit_code(soak)?)
}

/// Runs `command` to completion, echoing it; its exit code (`None` if a signal ended it).
fn exit_code(mut command: Command) -> Result<Option<i32>, String> {
    eprintln!("$ {} {}", command.get_program().to_string_lossy(), options_line(&command));
    let status = command.status().map_err(|error| format!("cannot run ws-soak: {error}"))?;
    Ok(status.code())
}

fn options_line(command: &Command) -> String {
    let args: Vec<_> = command.get_args().map(|arg| arg.to_string_lossy()).collect();
    args.join(" ")
}

/// `CARGO_TARGET_DIR`, or the workspace's `target/`.
fn target() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from);
    target.unwrap_or_else(|| cmd::workspace_root().join("target"))
}

/// The release binary in `target`.
fn binary(target: &std::path::Path) -> PathBuf {
    target.join("release").join("ws-soak")
}

/// 0 passed, 1 a success metric missed, anything else: the harness could not run.
fn verdict(code: Option<i32>) -> Outcome {
    match code {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        other => Err(format!("ws-soak could not run (exit status {other:?})")),
    }
}

mod nodes;
#[cfg(test)]
mod tests;
