//! `cargo xtask coverage`: line coverage per library crate, measured with cargo-tarpaulin.
//!
//! The tests of the whole workspace run under instrumentation; lines are counted in each
//! library crate's `src/`, test modules left out (the same test-code rule as compliance).
//! A crate at or below [`MIN_COVERAGE`] percent fails the command.

use crate::cmd::{self, Outcome};
use crate::compliance::source::{discover, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The coverage every library crate must exceed, in percent.
pub const MIN_COVERAGE: f64 = 80.0;

/// Where tarpaulin writes its JSON report, relative to the workspace root.
const REPORT_DIR: &str = "target/coverage";

/// The tarpaulin command line (the llvm engine needs no llvm-tools on this machine).
const TARPAULIN_ARGS: &[&str] = &[
    "tarpaulin",
    "--engine",
    "llvm",
    "--workspace",
    "--all-features",
    "--skip-clean",
    "--out",
    "Json",
    "--output-dir",
    REPORT_DIR,
    "--exclude-files",
    "xtask/*",
    "--timeout",
    "600",
];

/// Measures coverage and prints a table (or JSON); fails when a crate is at or below the floor.
pub fn run(json: bool) -> Outcome {
    cmd::ensure_installed("tarpaulin", &["cargo-tarpaulin", "--no-default-features"])?;
    if !cmd::status(cmd::cargo(TARPAULIN_ARGS))? {
        return Ok(false);
    }
    let table = per_crate(&read_report()?, &test_files()?);
    print(&table, json);
    Ok(table.values().all(|lines| lines.percent() > MIN_COVERAGE))
}

/// Tarpaulin's JSON report: the files with their counts.
#[derive(Deserialize)]
struct Report {
    files: Vec<FileCoverage>,
}

#[derive(Deserialize)]
struct FileCoverage {
    path: Vec<String>,
    covered: u64,
    coverable: u64,
}

/// Covered and coverable lines of one crate, or of all.
#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Lines {
    covered: u64,
    coverable: u64,
}

impl Lines {
    fn percent(self) -> f64 {
        let ratio = self.covered as f64 / self.coverable.max(1) as f64;
        if self.coverable == 0 {
            100.0
        } else {
            100.0 * ratio
        }
    }

    fn add(self, other: Lines) -> Lines {
        Lines { covered: self.covered + other.covered, coverable: self.coverable + other.coverable }
    }
}

fn read_report() -> Result<Report, String> {
    let path = cmd::workspace_root().join(REPORT_DIR).join("tarpaulin-report.json");
    let describe = |error: &dyn std::fmt::Display| format!("{}: {error}", path.display());
    let text = std::fs::read_to_string(&path).map_err(|error| describe(&error))?;
    serde_json::from_str(&text).map_err(|error| describe(&error))
}

/// The absolute paths of the workspace's test-code files.
fn test_files() -> Result<BTreeSet<PathBuf>, String> {
    let root = cmd::workspace_root();
    let files = discover(&root).map_err(|error| error.to_string())?;
    let tests = files.into_iter().filter(|file| file.is_test);
    Ok(tests.map(|file: SourceFile| root.join(file.path)).collect())
}

/// Sums coverage per library crate.
fn per_crate(report: &Report, tests: &BTreeSet<PathBuf>) -> BTreeMap<String, Lines> {
    let mut table: BTreeMap<String, Lines> = BTreeMap::new();
    for (name, lines) in report.files.iter().filter_map(|file| library_lines(file, tests)) {
        let entry = table.entry(name).or_default();
        *entry = entry.add(lines);
    }
    table
}

/// The crate and counts of a library source; `None` for test code and other files.
fn library_lines(file: &FileCoverage, tests: &BTreeSet<PathBuf>) -> Option<(String, Lines)> {
    let path: PathBuf = file.path.iter().collect();
    let name = library_crate_of(&path).filter(|_| !tests.contains(&path))?;
    Some((name, Lines { covered: file.covered, coverable: file.coverable }))
}

/// The crate a source belongs to, when it sits in the `src/` of a crate under `crates/`.
fn library_crate_of(path: &Path) -> Option<String> {
    let text = path.to_string_lossy().replace('\\', "/");
    let (_, rest) = text.split_once("/crates/")?;
    let (name, inside) = rest.split_once('/')?;
    inside.starts_with("src/").then(|| name.to_owned())
}

fn print(table: &BTreeMap<String, Lines>, json: bool) {
    let total = table.values().fold(Lines::default(), |sum, lines| sum.add(*lines));
    if json {
        let report = serde_json::json!({ "crates": table, "total": total, "min": MIN_COVERAGE });
        return println!("{report}");
    }
    println!("{:<16} {:>9} {:>9} {:>8}", "crate", "covered", "coverable", "percent");
    let rows = table.iter().map(|(name, lines)| (name.as_str(), lines));
    rows.chain([("total", &total)]).for_each(|(name, lines)| print_row(name, *lines));
}

fn print_row(name: &str, lines: Lines) {
    let Lines { covered, coverable } = lines;
    println!("{name:<16} {covered:>9} {coverable:>9} {:>7.1}%", lines.percent());
}

#[cfg(test)]
mod tests {
    use super::{library_crate_of, Lines};
    use std::path::Path;

    #[test]
    fn only_library_sources_count() {
        let crate_of = |path: &str| library_crate_of(Path::new(path));
        assert_eq!(crate_of("/w/crates/ws-batch/src/outbox.rs").as_deref(), Some("ws-batch"));
        assert_eq!(crate_of("/w/crates/ws-batch/tests/e2e.rs"), None);
        assert_eq!(crate_of("/w/xtask/src/main.rs"), None);
    }

    #[test]
    fn percent_of_nothing_is_full() {
        assert_eq!(Lines::default().percent(), 100.0);
        assert_eq!(Lines { covered: 1, coverable: 4 }.percent(), 25.0);
    }
}
