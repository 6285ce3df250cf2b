//! `cargo xtask ci`'s check that the simulated soak repeats from its seed: the simulating
//! `ws-soak` (as `cargo xtask reliability --simulate` builds it) run with seed 1 twice and
//! seed 2 once, for [`SHORT`] of simulated time each; the two reports of seed 1 must be
//! equal byte for byte but for their `wall_clock`, and seed 2's must differ.

use super::simulate;
use crate::cmd::{self, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Simulated time per run: the storm, the server's closes and two restarts strike; a few
/// seconds of wall clock each.
const SHORT: &str = "12m";

/// Runs the three simulations and compares their reports.
pub fn run() -> Outcome {
    let soak = simulate::built()?;
    let first = report_of(&soak, 1, "first")?;
    let again = report_of(&soak, 1, "again")?;
    let other = report_of(&soak, 2, "other")?;
    Ok(verdict(&first, &again, &other))
}

/// The deterministic report of a run of `seed`, written as `determinism-{name}.json`.
fn report_of(soak: &Path, seed: u64, name: &str) -> Result<String, String> {
    let out = PathBuf::from(format!("target/reliability/determinism-{name}.json"));
    let seed = seed.to_string();
    let mut run = Command::new(soak);
    run.args(["--simulate", SHORT, "--seed", &seed, "--out"]).arg(&out);
    run.current_dir(cmd::workspace_root());
    cmd::status(run)?; // a missed check is the other step's concern, not this one's
    let written = std::fs::read_to_string(cmd::workspace_root().join(&out));
    deterministic(&written.map_err(|error| format!("{}: {error}", out.display()))?)
}

/// A report as JSON without its `wall_clock` (what two runs of one seed share).
fn deterministic(report: &str) -> Result<String, String> {
    let mut value: serde_json::Value = serde_json::from_str(report).map_err(|e| e.to_string())?;
    value.as_object_mut().map(|object| object.remove("wall_clock"));
    serde_json::to_string_pretty(&value).map_err(|error| error.to_string())
}

/// What a failed comparison means.
const NOT_REPEATED: &str =
    "two runs of seed 1 wrote different reports (target/reliability/determinism-*.json)";
const SEED_IGNORED: &str = "seeds 1 and 2 wrote the same report: the seed changes nothing";

/// Whether seed 1 repeated itself and seed 2 did not; says which failed.
fn verdict(first: &str, again: &str, other: &str) -> bool {
    let failures = [(first != again, NOT_REPEATED), (first == other, SEED_IGNORED)];
    let failed: Vec<_> = failures.iter().filter(|(failed, _)| *failed).collect();
    failed.iter().for_each(|(_, why)| eprintln!("determinism: {why}"));
    failed.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wall_clock_is_left_out_and_nothing_else() {
        let report = r#"{"run":{"seed":1},"wall_clock":{"seconds":3.2},"passed":true}"#;
        let kept = deterministic(report).unwrap();
        assert!(!kept.contains("wall_clock") && kept.contains("\"seed\": 1"));
        assert!(verdict(&kept, &kept.clone(), "{}"));
        assert!(!verdict(&kept, "{}", "{}"), "seed 1 did not repeat");
        assert!(!verdict(&kept, &kept.clone(), &kept.clone()), "the seed changed nothing");
    }
}
