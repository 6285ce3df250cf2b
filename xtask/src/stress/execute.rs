//! Running one test runner once, stressed, and reading the outcome of each of its tests.

use super::outcome::TestOutcome;
use super::{junit, libtest, FIXTURE_VAR, RUN_VAR};
use crate::cmd;
use crate::runners::{Report, TestRunner};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Where nextest writes the JUnit report of its `stress` profile (`store.dir` is
/// `target/nextest` under the workspace root, whatever `CARGO_TARGET_DIR` says).
pub fn junit_path() -> PathBuf {
    cmd::workspace_root().join("target/nextest/stress/junit.xml")
}

/// Which run this is, and whether the flaky fixture is enabled.
#[derive(Debug, Clone, Copy)]
pub struct RunContext {
    /// 1 for the first run.
    pub number: u32,
    /// Whether `WSR_STRESS_FLAKY_FIXTURE=1` is passed on.
    pub fixture: bool,
}

impl RunContext {
    /// The runner's stress command with this run's environment.
    fn command(&self, runner: &TestRunner) -> Command {
        let mut command = runner.stress_command();
        command.env(RUN_VAR, self.number.to_string()).env_remove("NEXTEST_RETRIES");
        if self.fixture {
            command.env(FIXTURE_VAR, "1");
        }
        command
    }
}

/// What one runner did in one run.
#[derive(Debug, Clone)]
pub struct RunnerResult {
    /// The runner's name.
    pub runner: &'static str,
    /// Every test it reported.
    pub outcomes: Vec<TestOutcome>,
    /// Its exit code; `None` when a signal ended it.
    pub exit: Option<i32>,
    /// How many tests its list named before the first run.
    pub expected: Option<usize>,
}

/// A runner and how many tests it listed before the first run.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    /// The runner.
    pub runner: TestRunner,
    /// How many tests a complete run reports; `None` when the runner lists none.
    pub expected: Option<usize>,
}

impl Planned {
    /// Runs the runner once and reads its outcomes.
    pub fn execute(&self, context: RunContext) -> Result<RunnerResult, String> {
        eprintln!("stress: run {}: {}", context.number, self.runner.name);
        remove_stale_report()?;
        let output = capture(context.command(&self.runner))?;
        let outcomes = read(&self.runner, &output);
        echo_if_failed(&output);
        let exit = output.status.code();
        Ok(RunnerResult { runner: self.runner.name, outcomes, exit, expected: self.expected })
    }
}

/// Removes the previous JUnit report, so that a run that writes none reports no test.
fn remove_stale_report() -> Result<(), String> {
    match std::fs::remove_file(junit_path()) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error.to_string()),
        _ => Ok(()),
    }
}

/// Runs a command with stderr shown and stdout kept for reading.
fn capture(mut command: Command) -> Result<Output, String> {
    let output = command.stdin(Stdio::null()).stderr(Stdio::inherit()).output();
    output.map_err(|error| format!("cannot run {command:?}: {error}"))
}

/// The outcomes of the tests, read as the runner's report kind says.
fn read(runner: &TestRunner, output: &Output) -> Vec<TestOutcome> {
    match runner.report {
        Report::NextestJunit => {
            junit::parse(&std::fs::read_to_string(junit_path()).unwrap_or_default())
        }
        Report::Libtest => libtest::parse(&String::from_utf8_lossy(&output.stdout)),
        Report::NodeTap => super::tap::parse(&String::from_utf8_lossy(&output.stdout)),
    }
}

/// The kept stdout goes to stderr when the runner failed, so that the failures are read.
fn echo_if_failed(output: &Output) {
    if !output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stdout));
    }
}

impl RunnerResult {
    /// How many tests ran.
    pub fn executed(&self) -> usize {
        self.outcomes.iter().filter(|outcome| outcome.executed()).count()
    }

    /// The names of the failures of this run: each failed test, or, when the runner failed
    /// without naming a failed test (it crashed, did not build), the runner itself.
    pub fn failures(&self) -> Vec<String> {
        let named = self.failed_tests();
        if named.is_empty() && self.exit != Some(0) {
            return vec![format!(
                "{} (exit status {:?}, no failed test named)",
                self.runner, self.exit
            )];
        }
        named
    }

    fn failed_tests(&self) -> Vec<String> {
        let failed = self.outcomes.iter().filter(|outcome| outcome.failed());
        failed.map(|outcome| outcome.name.clone()).collect()
    }

    /// Why this run of the runner is incomplete: fewer tests reported than listed.
    pub fn shortfall(&self) -> Option<String> {
        let reported = self.outcomes.len();
        let expected = self.expected.filter(|expected| reported < *expected)?;
        Some(format!("{}: {reported} of {expected} listed tests reported", self.runner))
    }
}
