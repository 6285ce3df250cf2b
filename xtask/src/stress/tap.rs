//! Reading TAP, as node's test runner prints it when its output is not a terminal
//! (`clients/js`'s `npm test`): `ok N - NAME` and `not ok N - NAME` lines, subtests indented,
//! `# SKIP` and `# TODO` directives for tests that did not run.

use super::outcome::{TestOutcome, Verdict};

/// The outcome of every test line in a TAP stream.
pub fn parse(stdout: &str) -> Vec<TestOutcome> {
    stdout.lines().filter_map(test_line).collect()
}

fn test_line(line: &str) -> Option<TestOutcome> {
    let line = line.trim_start();
    let (rest, passed) = match line.strip_prefix("not ok ") {
        Some(rest) => (rest, false),
        None => (line.strip_prefix("ok ")?, true),
    };
    let (_number, description) = rest.split_once(" - ")?;
    let (name, directive) = description.split_once(" # ").unwrap_or((description, ""));
    Some(TestOutcome::new(name.trim(), verdict(passed, directive)))
}

/// A skipped or to-do test did not run; otherwise the line says passed or failed.
fn verdict(passed: bool, directive: &str) -> Verdict {
    if !ran(directive) {
        Verdict::Ignored
    } else if passed {
        Verdict::Passed
    } else {
        Verdict::Failed
    }
}

/// Whether a test with this directive ran: not a `# SKIP` or a `# TODO`.
fn ran(directive: &str) -> bool {
    let directive = directive.to_ascii_uppercase();
    !(directive.starts_with("SKIP") || directive.starts_with("TODO"))
}
