//! Counting the tests a complete run executes, once before the first run.

use super::libtest;
use crate::runners::{Report, TestRunner};
use serde_json::Value;
use std::process::Stdio;

/// How many tests `runner` lists; `None` when it has no list command.
pub fn expected(runner: &TestRunner) -> Result<Option<usize>, String> {
    let Some(mut command) = runner.list_command() else { return Ok(None) };
    eprintln!("stress: listing the tests of `{}`", runner.name);
    let output = command.stderr(Stdio::inherit()).output().map_err(|error| error.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let listed = output.status.success().then(|| count(runner.report, &stdout));
    listed.ok_or(format!("listing the tests of `{}` failed", runner.name))?.map(Some)
}

/// The number of tests in a list output, read as the runner's report kind says.
pub fn count(report: Report, stdout: &str) -> Result<usize, String> {
    match report {
        Report::NextestJunit => nextest_matches(stdout),
        Report::Libtest => Ok(libtest::listed(stdout)),
        Report::NodeTap => Err("node's test runner has no list of tests".to_owned()),
    }
}

/// The test cases of `cargo nextest list --message-format json` that match its filters
/// (ignored tests and filtered-out tests do not; the `test-count` field counts them all).
fn nextest_matches(json: &str) -> Result<usize, String> {
    let list: Value = serde_json::from_str(json).map_err(|error| error.to_string())?;
    let suites = list["rust-suites"].as_object().ok_or("no rust-suites in nextest's list")?;
    let cases = suites.values().filter_map(|suite| suite["testcases"].as_object());
    Ok(cases.flat_map(|cases| cases.values()).filter(|case| matches(case)).count())
}

fn matches(case: &Value) -> bool {
    case["filter-match"]["status"] == "matches"
}
