//! The outcome of a compliance check and how it is printed: a table, or JSON for machines.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// One rule broken at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The file, relative to the workspace root.
    pub path: PathBuf,
    /// The line (1-based) where the offending item starts.
    pub line: usize,
    /// What is wrong: a function name, `file`, or a missing attribute.
    pub name: String,
    /// The measure or the fix, e.g. `12 lines`.
    pub detail: String,
}

/// The result of one check over the tree.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The rule's short id, the last field of a baseline line (`fn-length`).
    pub rule: String,
    /// The check's name.
    pub check: String,
    /// How many items (files, functions, crates) it looked at.
    pub scanned: usize,
    /// Every violation found.
    pub violations: Vec<Violation>,
}

impl Violation {
    /// A violation at `path:line`.
    pub fn new(
        path: &Path,
        line: usize,
        name: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Violation { path: path.to_path_buf(), line, name: name.into(), detail: detail.into() }
    }
}

impl CheckResult {
    /// A result from its parts: the rule's id, the check's name, what it scanned and found.
    pub fn new(rule: &str, check: &str, scanned: usize, violations: Vec<Violation>) -> Self {
        CheckResult { rule: rule.to_owned(), check: check.to_owned(), scanned, violations }
    }

    /// Whether the check found nothing wrong.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// Each violation as the report prints it: `path:line name (detail) [rule]`.
    pub fn reported(&self) -> Vec<String> {
        self.violations.iter().map(|found| format!("{found} [{}]", self.rule)).collect()
    }

    /// The result of a check delegated to a command such as clippy.
    pub fn from_command(check: &str, passed: bool) -> Self {
        let failure = Violation::new(Path::new("."), 0, check, "see its output above");
        CheckResult::new(check, check, 1, if passed { Vec::new() } else { vec![failure] })
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}:{} {} ({})", self.path.display(), self.line, self.name, self.detail)
    }
}

/// Prints the results as a table followed by every violation, or as one JSON object.
pub fn print(results: &[CheckResult], json: bool) {
    if json {
        let passed = results.iter().all(CheckResult::passed);
        let value = serde_json::json!({ "passed": passed, "checks": results });
        println!("{value}");
    } else {
        print_table(results);
    }
}

fn print_table(results: &[CheckResult]) {
    println!("{:<28} {:>8} {:>11}", "check", "scanned", "violations");
    for result in results {
        println!("{:<28} {:>8} {:>11}", result.check, result.scanned, result.violations.len());
    }
    results.iter().flat_map(CheckResult::reported).for_each(|line| println!("{line}"));
}

/// Prints how many known violations the baseline still lists, after the table.
pub fn print_remaining(results: &[CheckResult], json: bool) {
    let baseline = results.iter().find(|result| result.rule == "baseline");
    if let Some(baseline) = baseline.filter(|_| !json) {
        println!("{} known violations remain in {}", baseline.scanned, super::baseline::BASELINE);
    }
}
