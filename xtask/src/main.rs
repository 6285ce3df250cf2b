//! `cargo xtask`: the repository's checks, written in Rust and run from the repository.
//!
//! - `compliance`: file length, function length (a tuple packing counts a line per name), no
//!   `match` on a bool, no tuple parameter, crate attributes, `//!` doc lines, every MUST id
//!   of `docs/protocol.md` named by a test, the baseline of known violations, clippy;
//! - `coverage`: line coverage per library crate with cargo-tarpaulin (installed if missing);
//! - `reliability`: the soak and chaos run of a server and 1000 clients (`ws-soak`), or with
//!   `--simulate 24h` the same under a simulated network and clock, from a seed;
//! - `attack`: hostile clients against a default server child (`ws-attack`);
//! - `bench`: push, upload, latency, fan-out, connections and idle memory, raw against
//!   reliable (`ws-bench`);
//! - `stress`: the whole test suite N times in a row, failures counted per test;
//! - `fuzz`: the cargo-fuzz targets of `fuzz/` for N seconds each (nightly);
//! - `examples`: the echo examples run against each other (a step of `ci`);
//! - `ci`: everything CI checks, in order.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attack;
mod bench;
mod ci;
mod cmd;
mod compliance;
mod coverage;
mod examples;
mod fuzz;
mod reliability;
mod runners;
mod stress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The command line of `cargo xtask`.
#[derive(Parser)]
#[command(name = "cargo xtask", about = "ws-reliability repository checks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One task.
#[derive(Subcommand)]
enum Command {
    /// Check the code rules: file and function length, crate attributes, doc lines, clippy.
    Compliance {
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Skip clippy (the static checks only).
        #[arg(long)]
        no_clippy: bool,
    },
    /// Measure line coverage per library crate; fail at or below 80%.
    Coverage {
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Soak and chaos run: a ReliableServer and N clients on loopback under random faults;
    /// fails when a success metric is missed.
    Reliability(reliability::Options),
    /// Hostile clients against a default ReliableServer child process (session flood under
    /// push, slow consumers, half-sent upgrades, no HELLO, one-address flood beside a
    /// bystander, BATCH amplification, malformed frames); fails on peak RSS > 1 GiB, a
    /// bystander under 99%, a panic, or a minimum intensity not reached.
    Attack(attack::Options),
    /// Benchmark: push, upload, latency, fan-out, connections and idle memory, raw
    /// tokio-tungstenite against ReliableServer/ReliableClient in one run; PASS or MISS per
    /// target, exit 0 whenever it measured.
    Bench(bench::Options),
    /// Run the whole test suite (every test runner CI runs) N times in a row, optionally
    /// under CPU load; print failures per test and fail on any failure or incomplete run.
    Stress(stress::Options),
    /// Run each cargo-fuzz target of `fuzz/` (nightly; cargo-fuzz installed if missing) for
    /// N seconds; fail when one finds a crash.
    Fuzz(fuzz::Options),
    /// Run the echo examples against each other: `echo_server` as a child process,
    /// `echo_client` checking 20 echoes.
    Examples,
    /// Run everything CI checks, in order, stopping at the first failure.
    Ci,
}

fn main() -> ExitCode {
    cmd::exit_code(Cli::parse().command.run())
}

impl Command {
    fn run(self) -> cmd::Outcome {
        match self {
            Command::Compliance { json, no_clippy } => compliance::run(json, !no_clippy),
            Command::Coverage { json } => coverage::run(json),
            Command::Ci => ci::run(),
            Command::Examples => examples::echo_smoke(),
            harness => harness.run_harness(),
        }
    }

    /// The harnesses that run for a while: soak, attack, bench, stress and fuzz; any other command
    /// goes back to [`Command::run`].
    fn run_harness(self) -> cmd::Outcome {
        match self {
            Command::Reliability(options) => reliability::run(&options),
            Command::Attack(options) => attack::run(&options),
            Command::Bench(options) => bench::run(&options),
            Command::Stress(options) => stress::run(&options),
            Command::Fuzz(options) => fuzz::run(&options),
            checks => checks.run(),
        }
    }
}
