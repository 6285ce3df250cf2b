//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

use crate::cmd::{self, Outcome};
use crate::{attack, compliance, coverage, examples, reliability, runners};
use std::time::Instant;

/// One step of the pipeline.
struct Step {
    name: &'static str,
    run: fn() -> Outcome,
}

/// The steps, cheapest and most telling first.
const STEPS: &[Step] = &[
    Step { name: "format", run: format },
    Step { name: "clippy", run: clippy },
    Step { name: "tests (every test runner)", run: runners::run_all },
    Step { name: "axum example smoke", run: axum_smoke },
    Step { name: "echo examples smoke", run: examples::echo_smoke },
    Step { name: "compliance", run: || compliance::run(false, false) },
    Step { name: "short soak", run: || reliability::run(&reliability::Options::short()) },
    Step {
        name: "simulated soak (2 simulated hours)",
        run: || reliability::run(&reliability::Options::simulated()),
    },
    Step {
        name: "simulated soak repeats from its seed (seed 1 twice, seed 2)",
        run: reliability::determinism::run,
    },
    Step {
        name: "short nodes soak (redis, 2 nodes, kills)",
        run: || reliability::run(&reliability::Options::nodes_short()),
    },
    Step { name: "short attack", run: || attack::run(&attack::Options::short()) },
    Step { name: "feature powerset", run: feature_powerset },
    Step { name: "package (every library crate)", run: package },
    Step { name: "docs", run: docs },
    Step { name: "coverage", run: || coverage::run(false) },
];

/// Runs every step; the first failure stops the run.
pub fn run() -> Outcome {
    let started = Instant::now();
    for step in STEPS {
        if !run_step(step, started)? {
            return Ok(false);
        }
    }
    eprintln!("ci: all {} steps passed in {:.0?}", STEPS.len(), started.elapsed());
    Ok(true)
}

fn run_step(step: &Step, started: Instant) -> Outcome {
    eprintln!("==> {} ({:.0?} elapsed)", step.name, started.elapsed());
    let passed = (step.run)()?;
    if !passed {
        eprintln!("ci: step `{}` failed", step.name);
    }
    Ok(passed)
}

fn format() -> Outcome {
    cmd::status(cmd::cargo(&["fmt", "--all", "--check"]))
}

fn clippy() -> Outcome {
    cmd::status(cmd::cargo(cmd::CLIPPY_ARGS))
}

/// `cargo hack`'s check of the feature combinations, bounded to pairs (with `tls`, the whole
/// powerset of 2^7 took most of CI's time), without `full`, the test-support `fuzzing` and
/// `simulation` (the simulated soak's, never a service's: the soak step builds it);
/// every feature together is what clippy and the tests build.
const POWERSET: &[&str] = &[
    "hack",
    "check",
    "--workspace",
    "--feature-powerset",
    "--depth",
    "2",
    "--exclude-features",
    "full,fuzzing,simulation",
    "--no-dev-deps",
];

fn feature_powerset() -> Outcome {
    cmd::ensure_installed("hack", &["cargo-hack"])?;
    cmd::status(cmd::cargo(POWERSET))
}

/// The axum example against itself. Without `-p`: the workspace's feature resolution, as
/// the tests step built it, so that only the facade and the example are built again (for
/// the `dev` profile); `-p ws-reliability` would resolve tokio's features for that crate
/// alone and rebuild its whole dependency tree.
const AXUM_SMOKE: &[&str] = &["run", "--example", "axum_app", "--all-features"];

/// `crates/ws-reliability/examples/axum_app.rs` with `WSR_SMOKE=1`: an axum app serving a
/// `ReliableClient` of its own, one echo checked, exit 0.
fn axum_smoke() -> Outcome {
    let mut smoke = cmd::cargo(AXUM_SMOKE);
    smoke.env("WSR_SMOKE", "1");
    cmd::status(smoke)
}

/// `cargo package` of every publishable crate (the harnesses, tests and xtask are
/// `publish = false`): manifests, READMEs and versioned path dependencies in order. Not
/// verified by a build here: the tests step built every crate already.
const PACKAGE: &[&str] = &[
    "package",
    "--workspace",
    "--no-verify",
    "--allow-dirty",
    "--exclude",
    "xtask",
    "--exclude",
    "ws-soak",
    "--exclude",
    "ws-bench",
    "--exclude",
    "ws-reliability-tests",
    "--exclude",
    "ws-attack",
];

fn package() -> Outcome {
    cmd::status(cmd::cargo(PACKAGE))
}

fn docs() -> Outcome {
    let mut command = cmd::cargo(&["doc", "--workspace", "--no-deps", "--all-features"]);
    command.env("RUSTDOCFLAGS", "-D warnings");
    cmd::status(command)
}
