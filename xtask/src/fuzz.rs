//! `cargo xtask fuzz`: runs the cargo-fuzz targets of `fuzz/` on nightly for N seconds
//! each, installing cargo-fuzz when it is missing, and fails when a target finds a crash.
//!
//! Each target starts from its committed corpus (`fuzz/corpus/<target>/`: hand-written
//! `seed-*` files and `min-*` files, a libFuzzer `-merge=1` of earlier runs; what a run adds
//! there is gitignored) and its regressions (`fuzz/regressions/<target>/`),
//! with debug assertions and overflow checks on (`-a`) and any single allocation over
//! [`MALLOC_LIMIT_MB`] reported as a crash. A crash is written to
//! `fuzz/artifacts/<target>/`: copy it to `fuzz/regressions/<target>/` with the fix, and
//! `crates/ws-reliability/tests/fuzz_corpus.rs` replays it on stable from then on.

use crate::cmd::{self, Outcome};
use std::process::{Command, Output, Stdio};

/// The fuzz targets of `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: [&str; 4] = ["frame", "batch", "hello", "reader"];

/// The largest single allocation a target may make, in MB: the inputs are a few KiB, so
/// anything near this is a length taken from the input unchecked.
pub const MALLOC_LIMIT_MB: u32 = 64;

/// Lines of libFuzzer's output that hold a run's figures.
const FIGURE_MARKERS: [&str; 4] = [
    "\tDONE ",
    "stat::number_of_executed_units",
    "stat::average_exec_per_sec",
    "stat::peak_rss_mb",
];

/// The command line of `cargo xtask fuzz`.
#[derive(clap::Args)]
pub struct Options {
    /// Seconds per target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Only this target (frame, batch, hello or reader).
    #[arg(long)]
    target: Option<String>,
}

/// One target's run: whether it found nothing, and libFuzzer's figures.
struct Run {
    target: &'static str,
    passed: bool,
    figures: Vec<String>,
}

/// Runs the chosen targets one after the other; fails when any of them crashed.
pub fn run(options: &Options) -> Outcome {
    let targets = chosen(options.target.as_deref())?;
    ensure_cargo_fuzz()?;
    let runs = targets.into_iter().map(|target| run_target(target, options.seconds));
    let runs = runs.collect::<Result<Vec<Run>, String>>()?;
    runs.iter().for_each(print);
    Ok(runs.iter().all(|run| run.passed))
}

/// Every target, or the one asked for.
fn chosen(target: Option<&str>) -> Result<Vec<&'static str>, String> {
    let Some(name) = target else { return Ok(TARGETS.to_vec()) };
    let known = TARGETS.into_iter().find(|known| *known == name);
    known.map(|found| vec![found]).ok_or(format!("no fuzz target {name}: one of {TARGETS:?}"))
}

/// cargo-fuzz from crates.io when `cargo fuzz` is not there; nightly must be installed.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = cmd::cargo(&["fuzz", "--version"]).output().is_ok_and(|out| out.status.success());
    if !present {
        eprintln!("cargo-fuzz is missing: installing it (cargo install --locked cargo-fuzz)");
    }
    cmd::ensure_installed("fuzz", &["cargo-fuzz"])
}

/// `cargo +nightly fuzz run` of one target for `seconds`, in `fuzz/` with its own target
/// directory (never the main workspace's: the build is nightly and instrumented).
fn fuzz_command(target: &str, seconds: u64) -> Command {
    let corpus = [format!("corpus/{target}"), format!("regressions/{target}")];
    let limits =
        [format!("-max_total_time={seconds}"), format!("-malloc_limit_mb={MALLOC_LIMIT_MB}")];
    let mut command = Command::new("cargo"); // the rustup proxy: `+nightly` picks the toolchain
    command.args(["+nightly", "fuzz", "run", "-O", "-a", target]).args(corpus);
    command.arg("--").args(limits).arg("-print_final_stats=1");
    command.current_dir(cmd::workspace_root().join("fuzz")).env_remove("CARGO_TARGET_DIR");
    command
}

/// Runs one target, its output kept to print the figures (and the end of it on a crash).
fn run_target(target: &'static str, seconds: u64) -> Result<Run, String> {
    eprintln!("$ cargo +nightly fuzz run -O -a {target} (for {seconds} s)");
    let output = output_of(fuzz_command(target, seconds))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let passed = output.status.success();
    if !passed {
        eprintln!("{}", tail(&log, 80));
    }
    Ok(Run { target, passed, figures: figures(&log) })
}

/// What a finished command wrote; `Err` when it could not start.
fn output_of(mut command: Command) -> Result<Output, String> {
    let output = command.stdin(Stdio::null()).output();
    output.map_err(|error| format!("cannot run cargo +nightly fuzz: {error}"))
}

/// The lines of libFuzzer's output that hold a run's figures.
fn figures(log: &str) -> Vec<String> {
    let wanted = |line: &&str| FIGURE_MARKERS.iter().any(|marker| line.contains(marker));
    log.lines().filter(wanted).map(str::to_owned).collect()
}

/// The last `count` lines of `log`.
fn tail(log: &str, count: usize) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

fn print(run: &Run) {
    let verdict = if run.passed { "PASS" } else { "CRASH (see fuzz/artifacts)" };
    println!("fuzz {}: {verdict}", run.target);
    run.figures.iter().for_each(|line| println!("    {line}"));
}

#[cfg(test)]
mod tests {
    use super::{chosen, figures, tail, TARGETS};

    #[test]
    fn targets_are_chosen_by_name() {
        assert_eq!(chosen(None).unwrap(), TARGETS);
        assert_eq!(chosen(Some("reader")).unwrap(), ["reader"]);
        assert!(chosen(Some("nope")).unwrap_err().contains("frame"));
    }

    #[test]
    fn figures_are_the_final_lines_of_libfuzzer() {
        let log =
            "INFO: seed\n#1000\tDONE   cov: 812 ft: 2311 corp: 120/4Kb exec/s: 16 rss: 60Mb\n\
                   stat::number_of_executed_units: 1000\nstat::peak_rss_mb: 60\nother\n";
        assert_eq!(figures(log).len(), 3);
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
    }
}
