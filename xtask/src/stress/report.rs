//! What `cargo xtask stress` prints: a table, or one JSON object for machines.

use super::tally::{RunSummary, Tally};
use serde::Serialize;

/// A test that failed at least once, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The test's name.
    pub name: String,
    /// In how many runs it failed.
    pub count: usize,
}

impl Failure {
    /// Its line in the table.
    fn line(&self) -> String {
        format!("  {:>5}  {}\n", self.count, self.name)
    }
}

/// The final report (its JSON keys are the field names).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// No failure and every run complete.
    pub passed: bool,
    /// The figures of every run.
    #[serde(flatten)]
    pub figures: RunFigures,
    /// Tests the runners listed before the first run (a complete run reports as many).
    pub listed_tests: usize,
    /// Every test that failed at least once, most failures first.
    pub failures: Vec<Failure>,
    /// The sum of all failure counts.
    pub total_failures: usize,
    /// Whether `--load` kept a core busy.
    pub load: bool,
}

/// What each run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunFigures {
    /// How many runs were made.
    pub runs: usize,
    /// Tests executed in each run, in order.
    pub tests_per_run: Vec<usize>,
    /// Wall time of each run, in seconds to a tenth.
    pub seconds_per_run: Vec<f64>,
    /// Why a run was incomplete, one line per runner and run.
    pub incomplete_runs: Vec<String>,
}

impl Summary {
    /// The summary of a finished tally.
    pub fn new(tally: &Tally, listed_tests: usize, load: bool) -> Self {
        let failures = failures(tally);
        let total_failures = tally.total_failures();
        let figures = RunFigures::new(&tally.runs);
        Summary { passed: tally.passed(), figures, listed_tests, failures, total_failures, load }
    }
}

impl RunFigures {
    /// The figures of the runs, in order.
    pub fn new(runs: &[RunSummary]) -> Self {
        let tests_per_run = runs.iter().map(|run| run.executed).collect();
        let seconds_per_run = runs.iter().map(|run| (run.seconds * 10.0).round() / 10.0).collect();
        let incomplete_runs = runs
            .iter()
            .enumerate()
            .flat_map(|(index, run)| numbered_incomplete(index, run))
            .collect();
        RunFigures { runs: runs.len(), tests_per_run, seconds_per_run, incomplete_runs }
    }
}

fn numbered_incomplete(index: usize, run: &RunSummary) -> Vec<String> {
    run.incomplete.iter().map(|why| format!("run {}: {why}", index + 1)).collect()
}

fn failures(tally: &Tally) -> Vec<Failure> {
    let mut failures: Vec<Failure> = tally
        .failures
        .iter()
        .map(|(name, count)| Failure { name: name.clone(), count: *count })
        .collect();
    failures.sort_by_key(|failure| std::cmp::Reverse(failure.count));
    failures
}

/// Prints the summary as a table, or as one JSON object.
pub fn print(summary: &Summary, json: bool) {
    if json {
        println!("{}", serde_json::json!(summary));
    } else {
        print!("{}", table(summary));
    }
}

/// The table: the failures per test, then the totals.
pub fn table(summary: &Summary) -> String {
    let verdict = if summary.passed { "PASSED" } else { "FAILED" };
    let mut text = format!("ws-reliability stress: {verdict}\n\n");
    text += &failure_lines(summary);
    text += &totals(summary);
    text
}

fn failure_lines(summary: &Summary) -> String {
    if summary.failures.is_empty() {
        return "no test failed\n\n".to_owned();
    }
    let heading = format!("failures per test (of {} runs)\n  count  test\n", summary.figures.runs);
    let lines: String = summary.failures.iter().map(Failure::line).collect();
    heading + &lines + "\n"
}

fn totals(summary: &Summary) -> String {
    let rows = ROWS.iter().map(|row| format!("{:<18} {}\n", row.label, (row.value)(summary)));
    let incomplete = summary.figures.incomplete_runs.iter();
    rows.chain(incomplete.map(|why| format!("incomplete: {why}\n"))).collect()
}

/// One line of the totals.
struct Row {
    label: &'static str,
    value: fn(&Summary) -> String,
}

/// The totals under the failures.
const ROWS: &[Row] = &[
    Row { label: "runs", value: |summary| summary.figures.runs.to_string() },
    Row { label: "tests per run", value: |summary| joined(&summary.figures.tests_per_run) },
    Row { label: "tests listed", value: |summary| summary.listed_tests.to_string() },
    Row { label: "seconds per run", value: |summary| joined(&summary.figures.seconds_per_run) },
    Row { label: "total failures", value: |summary| summary.total_failures.to_string() },
    Row {
        label: "incomplete runs",
        value: |summary| summary.figures.incomplete_runs.len().to_string(),
    },
    Row { label: "load", value: |summary| load_label(summary.load).to_owned() },
];

fn load_label(load: bool) -> &'static str {
    if load {
        "one core kept busy"
    } else {
        "off"
    }
}

fn joined<T: ToString>(values: &[T]) -> String {
    values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
