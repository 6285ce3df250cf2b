//! The test runners: every command CI runs as tests, in one table that `cargo xtask ci` runs
//! once and `cargo xtask stress` runs N times, so a runner added here is both checked and
//! stressed. A runner with a new output format (the coming `npm test`) adds a [`Report`]
//! variant and its parser in `stress/`; the compiler then points at every match to extend.

use crate::cmd::{self, Outcome};
use std::process::Command;

/// How `cargo xtask stress` reads the outcome of each test of a runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// nextest's JUnit XML report of the `stress` profile (`.config/nextest.toml`); its test
    /// list is `cargo nextest list --message-format json`.
    NextestJunit,
    /// libtest's output on stdout, one `test NAME ... ok|FAILED|ignored` line per test; its
    /// test list is the `NAME: test` lines of `-- --list`.
    Libtest,
    /// TAP on stdout (node's test runner when not on a terminal); no list command, so a
    /// run is not checked against a count.
    NodeTap,
}

/// One command that runs tests.
#[derive(Debug, Clone, Copy)]
pub struct TestRunner {
    /// A short name, printed before it runs.
    pub name: &'static str,
    /// The command line, program first; `cargo` is the cargo that runs xtask.
    pub command: &'static [&'static str],
    /// Arguments appended when stressed, so that the outcome of every test can be read and
    /// a failure stops nothing.
    pub stress_args: &'static [&'static str],
    /// The command line listing the tests a complete run executes; empty when there is none.
    pub list: &'static [&'static str],
    /// How the per-test outcomes are read.
    pub report: Report,
}

/// Every test runner of the project, in the order CI runs them.
pub const TEST_RUNNERS: &[TestRunner] = &[
    TestRunner {
        name: "tests",
        command: &["cargo", "nextest", "run", "--workspace", "--all-features", "--no-fail-fast"],
        stress_args: &["--profile", "stress"],
        list: &[
            "cargo",
            "nextest",
            "list",
            "--workspace",
            "--all-features",
            "--message-format",
            "json",
        ],
        report: Report::NextestJunit,
    },
    TestRunner {
        name: "doc tests",
        command: &["cargo", "test", "--workspace", "--all-features", "--doc"],
        stress_args: &["--no-fail-fast"],
        list: &["cargo", "test", "--workspace", "--all-features", "--doc", "--", "--list"],
        report: Report::Libtest,
    },
    TestRunner {
        name: "browser client",
        command: &["bash", "clients/js/ci.sh"],
        stress_args: &[],
        list: &[],
        report: Report::NodeTap,
    },
];

impl TestRunner {
    /// The command CI runs.
    pub fn ci_command(&self) -> Command {
        command_line(self.command)
    }

    /// The command a stress run runs: the CI command plus [`TestRunner::stress_args`].
    pub fn stress_command(&self) -> Command {
        let mut command = self.ci_command();
        command.args(self.stress_args);
        command
    }

    /// The command listing the tests, if the runner has one.
    pub fn list_command(&self) -> Option<Command> {
        (!self.list.is_empty()).then(|| command_line(self.list))
    }
}

/// A command from its line, run from the workspace root.
fn command_line(line: &[&str]) -> Command {
    match line.split_first() {
        Some((&"cargo", args)) => cmd::cargo(args),
        Some((program, args)) => from_root(Command::new(program), args),
        None => Command::new(""),
    }
}

fn from_root(mut command: Command, args: &[&str]) -> Command {
    command.args(args).current_dir(cmd::workspace_root());
    command
}

/// Runs every runner once, as CI does, stopping at the first that fails.
pub fn run_all() -> Outcome {
    for runner in TEST_RUNNERS {
        eprintln!("--> {}", runner.name);
        if !cmd::status(runner.ci_command())? {
            eprintln!("ci: test runner `{}` failed", runner.name);
            return Ok(false);
        }
    }
    Ok(true)
}
