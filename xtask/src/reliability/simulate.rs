//! `cargo xtask reliability --simulate DURATION`: `ws-soak` built with its `simulation`
//! feature and `--cfg tokio_unstable` (turmoil then seeds each simulated host's tokio
//! runtime, whose choices, such as the branch `select!` polls first, are otherwise random),
//! in `<target>/simulation` so that the flag does not invalidate the main build; then run
//! with `--simulate DURATION`, its report written to `target/reliability/simulation.json`.

use super::{binary, exit_code, shown, target, verdict, Options};
use crate::cmd::{self, Outcome};
use std::path::PathBuf;
use std::process::Command;

/// Where the report of a simulated run is written.
pub const REPORT: &str = "target/reliability/simulation.json";

/// Builds the simulating `ws-soak` and simulates `duration`.
pub fn run(duration: &str, options: &Options) -> Outcome {
    let mut soak = Command::new(built()?);
    soak.args(soak_args(duration, options)).current_dir(cmd::workspace_root());
    verdict(exit_code(soak)?)
}

/// Builds the simulating `ws-soak`; the path of the binary.
pub fn built() -> Result<PathBuf, String> {
    if !cmd::status(build())? {
        return Err("building ws-soak with its simulation feature failed".into());
    }
    Ok(binary(&target_dir()))
}

/// The release build of `ws-soak` with the `simulation` feature and `tokio_unstable`.
fn build() -> Command {
    let features = ["build", "--release", "-p", "ws-soak", "--features", "simulation"];
    let mut build = cmd::cargo(&features);
    build.env("CARGO_TARGET_DIR", target_dir()).env("RUSTFLAGS", rustflags());
    build
}

/// `RUSTFLAGS`, with `--cfg tokio_unstable` added.
fn rustflags() -> String {
    let given = std::env::var("RUSTFLAGS").unwrap_or_default();
    format!("{given} --cfg tokio_unstable").trim().to_owned()
}

/// The simulating build's own target folder.
fn target_dir() -> PathBuf {
    target().join("simulation")
}

/// The `ws-soak` arguments of a simulated run.
pub fn soak_args(duration: &str, options: &Options) -> Vec<String> {
    let fixed = ["--simulate", duration, "--out", REPORT].map(str::to_owned);
    let given = flags(options).into_iter().filter_map(|(flag, value)| Some([flag.into(), value?]));
    let json = options.json.then(|| "--json".to_owned());
    fixed.into_iter().chain(given.flatten()).chain(json).collect()
}

/// Each flag of a simulated run with its value, if given (`--kill-server-every` is the
/// simulated server's restart interval, `--store` where it keeps its sessions).
fn flags(options: &Options) -> [(&'static str, Option<String>); 4] {
    [
        ("--seed", shown(options.seed)),
        ("--restart-every", options.cluster.kill_server_every.clone()),
        ("--store", options.cluster.store.clone()),
        ("--plant-leak", shown(options.plant_leak)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulated_run_gets_its_duration_seed_and_report() {
        let args = soak_args("2h", &Options::simulated());
        assert_eq!(args, ["--simulate", "2h", "--out", REPORT, "--seed", "1"]);
        assert!(rustflags().ends_with("--cfg tokio_unstable"));
        assert!(binary(&target_dir()).ends_with("simulation/release/ws-soak"));
    }

    #[test]
    fn the_server_kills_of_a_simulated_run_are_its_restarts() {
        let mut options = Options::simulated();
        options.cluster.kill_server_every = Some("0".to_owned());
        let args = soak_args("24h", &options);
        assert_eq!(args[6..], ["--restart-every", "0"]);
    }

    #[test]
    fn a_planted_leak_is_passed_on() {
        let mut options = Options::simulated();
        options.plant_leak = Some(200);
        assert_eq!(soak_args("24h", &options)[6..], ["--plant-leak", "200"]);
    }

    #[test]
    fn the_store_of_a_simulated_run_is_passed_on() {
        let mut options = Options::simulated();
        options.cluster.store = Some("memory".to_owned());
        assert_eq!(soak_args("2h", &options)[6..], ["--store", "memory"]);
    }
}
