//! Tests of `cargo xtask stress`: the parsers on captured real outputs, the tally, the
//! retry check, and the deliberately flaky fixture test itself.

use super::execute::RunnerResult;
use super::outcome::{TestOutcome, Verdict};
use super::report::{table, Summary};
use super::tally::Tally;
use super::{junit, libtest, list, retries, FIXTURE_RUNNERS, FIXTURE_VAR, RUN_VAR};
use crate::runners::{Report, TEST_RUNNERS};
use std::time::Duration;

/// A real nextest 0.9.143 JUnit report of a tiny crate: one test passed, one failed with
/// markup in its message (ignored tests are left out of the report).
const JUNIT_FAILED: &str = include_str!("fixtures/junit-failed.xml");
/// The real report of `cargo xtask stress --fixture`'s first run: the fixture failed.
const JUNIT_FIXTURE_RUN1: &str = include_str!("fixtures/junit-fixture-run1.xml");
/// A real report of a test killed by nextest's slow-timeout and one that aborted.
const JUNIT_TIMEOUT_ABORT: &str = include_str!("fixtures/junit-timeout-abort.xml");
/// Real `cargo test --doc` stdout: ok, FAILED, ignored, and a `no_run` test (`- compile`).
const DOC_TESTS_FAILED: &str = include_str!("fixtures/doc-tests-failed.txt");
/// Real `cargo test --doc -- --list` stdout of the same crate.
const DOC_TESTS_LIST: &str = include_str!("fixtures/doc-tests-list.txt");
/// Real `cargo nextest list --message-format json-pretty passes`: 1 match of 3 tests.
const NEXTEST_LIST: &str = include_str!("fixtures/nextest-list.json");

/// The deliberately flaky fixture. It passes unless `WSR_STRESS_FLAKY_FIXTURE=1`; then it
/// fails on odd stress runs (`WSR_STRESS_RUN`, 1 when unset), so `cargo xtask stress
/// --fixture --runs 2` must count exactly one failure.
#[test]
fn stress_flaky_fixture() {
    let enabled = std::env::var(FIXTURE_VAR).is_ok_and(|value| value == "1");
    let run: u32 = std::env::var(RUN_VAR).ok().and_then(|value| value.parse().ok()).unwrap_or(1);
    assert!(
        !(enabled && run % 2 == 1),
        "the flaky fixture fails on odd runs when enabled (run {run})"
    );
}

fn outcome(name: &str, verdict: Verdict) -> TestOutcome {
    TestOutcome::new(name, verdict)
}

#[test]
fn junit_reports_are_read_per_test() {
    let outcomes = junit::parse(JUNIT_FAILED);
    assert_eq!(
        outcomes,
        [
            outcome("demo tests::passes", Verdict::Passed),
            outcome("demo tests::fails_with_markup", Verdict::Failed),
        ]
    );
}

#[test]
fn the_fixture_failure_is_read_from_the_workspace_report() {
    let outcomes = junit::parse(JUNIT_FIXTURE_RUN1);
    let name = "xtask::bin/xtask stress::tests::stress_flaky_fixture";
    assert_eq!(outcomes, [outcome(name, Verdict::Failed)]);
}

#[test]
fn timeouts_and_aborts_are_failures() {
    let outcomes = junit::parse(JUNIT_TIMEOUT_ABORT);
    let failed: Vec<_> = outcomes.iter().filter(|outcome| outcome.failed()).collect();
    assert_eq!(failed.len(), 2, "{outcomes:?}");
}

#[test]
fn junit_names_are_unescaped_and_skipped_or_retried_cases_are_told_apart() {
    let xml = r#"<testsuite name="a&amp;b"><testcase name="x::&lt;T&gt;" classname="a&amp;b"><skipped/></testcase>
        <testcase name="y" classname="c"><flakyFailure message="m"/></testcase><testcase name="z" classname="c"/>"#;
    let outcomes = junit::parse(xml);
    assert_eq!(
        outcomes,
        [
            outcome("a&b x::<T>", Verdict::Ignored),
            outcome("c y", Verdict::Failed),
            outcome("c z", Verdict::Passed),
        ]
    );
    assert!(junit::parse("").is_empty());
}

#[test]
fn doc_test_output_is_read_per_test() {
    let outcomes = libtest::parse(DOC_TESTS_FAILED);
    assert_eq!(
        outcomes,
        [
            outcome("src/lib.rs - (line 11)", Verdict::Ignored),
            outcome("src/lib.rs - (line 15) - compile", Verdict::Passed),
            outcome("src/lib.rs - (line 3)", Verdict::Passed),
            outcome("src/lib.rs - (line 7)", Verdict::Failed),
        ]
    );
    assert_eq!(
        libtest::parse("test x ... ignored, slow\ntest y has been running for over 60 seconds\n")
            .len(),
        1
    );
}

#[test]
fn lists_are_counted() {
    assert_eq!(libtest::listed(DOC_TESTS_LIST), 4);
    assert_eq!(list::count(Report::Libtest, DOC_TESTS_LIST), Ok(4));
    assert_eq!(list::count(Report::NextestJunit, NEXTEST_LIST), Ok(1));
    assert!(list::count(Report::NextestJunit, "not json").is_err());
    assert!(list::count(Report::NextestJunit, "{}").is_err());
}

fn result(outcomes: Vec<TestOutcome>, exit: Option<i32>, expected: Option<usize>) -> RunnerResult {
    RunnerResult { runner: "tests", outcomes, exit, expected }
}

/// The stress command's counting, fed the outcomes of two recorded runs: the real JUnit
/// report with its failure, then the same tests all passing.
#[test]
fn failures_are_counted_per_test_over_runs() {
    let mut tally = Tally::default();
    tally.start_run();
    tally.record(&result(junit::parse(JUNIT_FAILED), Some(100), Some(2)));
    tally.end_run(Duration::from_millis(1500));
    tally.start_run();
    let passing = JUNIT_FAILED.replace("<failure", "<system-out");
    tally.record(&result(junit::parse(&passing), Some(0), Some(2)));
    tally.end_run(Duration::from_secs(1));
    assert_eq!(tally.total_failures(), 1);
    assert!(!tally.passed());
    let summary = Summary::new(&tally, 2, false);
    assert_eq!(summary.figures.tests_per_run, [2, 2]);
    let json = serde_json::json!(summary);
    assert_eq!(
        json["failures"],
        serde_json::json!([{ "name": "demo tests::fails_with_markup", "count": 1 }])
    );
    assert_eq!(json["runs"], 2);
    assert_eq!(json["total_failures"], 1);
    assert_eq!(json["seconds_per_run"], serde_json::json!([1.5, 1.0]));
    let printed = table(&summary);
    assert!(
        printed.contains("FAILED") && printed.contains("      1  demo tests::fails_with_markup"),
        "{printed}"
    );
    assert!(printed.contains("total failures     1"), "{printed}");
}

#[test]
fn a_run_reporting_fewer_tests_than_listed_fails() {
    let mut tally = Tally::default();
    tally.start_run();
    tally.record(&result(vec![outcome("t a", Verdict::Passed)], Some(0), Some(582)));
    assert_eq!(tally.total_failures(), 0);
    assert!(!tally.passed());
    let summary = Summary::new(&tally, 582, true);
    assert_eq!(summary.figures.incomplete_runs, ["run 1: tests: 1 of 582 listed tests reported"]);
    assert!(table(&summary).contains("load               one core kept busy"));
}

#[test]
fn a_runner_failing_without_a_failed_test_is_a_failure() {
    let crashed = result(vec![outcome("t a", Verdict::Passed)], Some(101), None);
    assert_eq!(crashed.failures(), ["tests (exit status Some(101), no failed test named)"]);
    let killed = result(Vec::new(), None, None);
    assert_eq!(killed.failures().len(), 1);
    assert!(result(Vec::new(), Some(0), None).failures().is_empty());
}

#[test]
fn a_clean_tally_passes() {
    let mut tally = Tally::default();
    tally.start_run();
    tally.record(&result(
        vec![outcome("t a", Verdict::Passed), outcome("t b", Verdict::Ignored)],
        Some(0),
        Some(2),
    ));
    assert!(tally.passed());
    let summary = Summary::new(&tally, 2, false);
    assert_eq!(summary.figures.tests_per_run, [1]);
    assert!(table(&summary).contains("PASSED\n\nno test failed"));
}

#[test]
fn retries_are_refused_anywhere() {
    let clean = "[profile.default]\nretries = 0 # no retry\n[profile.stress]\nretries = 0\n";
    assert_eq!(retries::check(clean, TEST_RUNNERS), Ok(()));
    let missing = "[profile.default]\nslow-timeout = \"60s\"\n";
    assert!(retries::check(missing, TEST_RUNNERS).unwrap_err().contains("must set `retries = 0`"));
    let retried = "[profile.default]\nretries = 0\n[[profile.default.overrides]]\nretries = 2\n";
    assert!(retries::check(retried, TEST_RUNNERS).unwrap_err().contains("`retries = 2`"));
    let table_form = "[profile.ci]\nretries = { backoff = \"fixed\", count = 3 }\n[profile.default]\nretries = 0\n";
    assert!(retries::check(table_form, TEST_RUNNERS).is_err());
    let mut flagged = TEST_RUNNERS[0];
    flagged.stress_args = &["--retries", "2"];
    assert!(retries::check(clean, &[flagged]).unwrap_err().contains("passes --retries"));
}

#[test]
fn the_workspace_retries_nothing_and_every_runner_is_stressable() {
    assert_eq!(retries::check_workspace(TEST_RUNNERS), Ok(()));
    assert_eq!(retries::check_workspace(FIXTURE_RUNNERS), Ok(()));
    let names: Vec<_> = TEST_RUNNERS.iter().map(|runner| runner.name).collect();
    assert_eq!(names, ["tests", "doc tests", "browser client"]);
    assert!(TEST_RUNNERS.iter().all(|runner| !runner.command.is_empty()));
    let nextest = format!("{:?}", TEST_RUNNERS[0].stress_command());
    assert!(nextest.contains("\"--no-fail-fast\" \"--profile\" \"stress\""), "{nextest}");
}

#[test]
fn node_tap_lines_are_outcomes_and_skips_did_not_run() {
    let tap = "TAP version 13\n# Subtest: codec\nok 1 - codec\n  ---\n  ...\n    not ok 2 - resume after 4001\n    ok 3 - a skipped one # SKIP no browser\nnot ok 4 - browser\n# tests 4\n";
    let outcomes = super::tap::parse(tap);
    let names: Vec<_> = outcomes.iter().map(|outcome| outcome.name.as_str()).collect();
    assert_eq!(names, ["codec", "resume after 4001", "a skipped one", "browser"]);
    let failed: Vec<_> = outcomes.iter().filter(|outcome| outcome.failed()).collect();
    assert_eq!(failed.len(), 2);
    assert!(!outcomes[2].executed(), "a SKIP did not run");
}
