//! Reading libtest's plain output, as `cargo test --doc` prints it: one
//! `test NAME ... ok|FAILED|ignored` line per test, and `NAME: test` lines under `--list`.

use super::outcome::{TestOutcome, Verdict};

/// The outcome of every test line in the output of a run.
pub fn parse(stdout: &str) -> Vec<TestOutcome> {
    stdout.lines().filter_map(test_line).collect()
}

/// How many tests a `-- --list` output names.
pub fn listed(stdout: &str) -> usize {
    stdout.lines().filter(|line| line.ends_with(": test")).count()
}

fn test_line(line: &str) -> Option<TestOutcome> {
    let (name, result) = line.strip_prefix("test ")?.rsplit_once(" ... ")?;
    Some(TestOutcome::new(name, result_verdict(result)?))
}

/// `ok`, `FAILED`, `ignored` or `ignored, <reason>`; anything else is not a result line.
fn result_verdict(result: &str) -> Option<Verdict> {
    match result {
        "ok" => Some(Verdict::Passed),
        "FAILED" => Some(Verdict::Failed),
        ignored if ignored.starts_with("ignored") => Some(Verdict::Ignored),
        _ => None,
    }
}
