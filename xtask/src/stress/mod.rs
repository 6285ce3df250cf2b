//! `cargo xtask stress --runs N [--load] [--json] [--fixture]`: runs the whole test suite
//! (every runner of [`crate::runners::TEST_RUNNERS`], as CI runs them) N times in a row and
//! prints how often each test failed. It fails on any failure, and on any run that reported
//! fewer tests than were listed before the first run, so a crashed or partial run cannot
//! pass. Nothing is retried (see [`retries`]).

mod execute;
mod junit;
mod libtest;
mod list;
mod load;
mod outcome;
mod report;
mod retries;
mod tally;
mod tap;
#[cfg(test)]
mod tests;

use crate::cmd::Outcome;
use crate::runners::{Report, TestRunner, TEST_RUNNERS};
use execute::{Planned, RunContext, RunnerResult};
use load::Load;
use std::time::Instant;
use tally::Tally;

/// Set to `1`, it enables the deliberately flaky fixture test: it then fails on odd runs.
pub const FIXTURE_VAR: &str = "WSR_STRESS_FLAKY_FIXTURE";
/// The number of the stress run (1 for the first), passed to every test command.
pub const RUN_VAR: &str = "WSR_STRESS_RUN";

/// The nextest filter naming the fixture test and nothing else.
const FIXTURE_FILTER: &str = "test(=stress::tests::stress_flaky_fixture)";

/// `--fixture`: the fixture test alone, through the same nextest path as the suite.
const FIXTURE_RUNNERS: &[TestRunner] = &[TestRunner {
    name: "flaky fixture",
    command: &["cargo", "nextest", "run", "-p", "xtask", "--no-fail-fast", "-E", FIXTURE_FILTER],
    stress_args: &["--profile", "stress"],
    list: &[
        "cargo",
        "nextest",
        "list",
        "-p",
        "xtask",
        "--message-format",
        "json",
        "-E",
        FIXTURE_FILTER,
    ],
    report: Report::NextestJunit,
}];

/// The flags of `cargo xtask stress`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// How many times to run the whole suite, one run after the other.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Keep one core busy with competing work for the whole time.
    #[arg(long)]
    pub load: bool,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Run only the deliberately flaky fixture test, enabled (it fails on odd runs), to see
    /// its failures counted.
    #[arg(long)]
    pub fixture: bool,
}

impl Options {
    /// The runners stressed: the fixture alone, or every runner of the project.
    fn runners(&self) -> &'static [TestRunner] {
        if self.fixture {
            FIXTURE_RUNNERS
        } else {
            TEST_RUNNERS
        }
    }
}

/// Checks that nothing retries, lists the tests, then runs the suite `options.runs` times.
pub fn run(options: &Options) -> Outcome {
    retries::check_workspace(options.runners())?;
    let plan = options.runners().iter().map(plan).collect::<Result<Vec<_>, _>>()?;
    let load = options.load.then(Load::start).transpose()?;
    let tally = Stress { plan: &plan, options }.run_all()?;
    load.into_iter().for_each(Load::stop);
    report::print(&report::Summary::new(&tally, listed(&plan), options.load), options.json);
    Ok(tally.passed())
}

fn plan(runner: &TestRunner) -> Result<Planned, String> {
    Ok(Planned { runner: *runner, expected: list::expected(runner)? })
}

fn listed(plan: &[Planned]) -> usize {
    plan.iter().filter_map(|planned| planned.expected).sum()
}

/// Runs one runner once, and says how long it took.
fn timed(planned: &Planned, context: RunContext) -> Result<RunnerResult, String> {
    let started = Instant::now();
    let result = planned.execute(context)?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("stress: run {}: {} took {seconds:.1} s", context.number, result.runner);
    Ok(result)
}

/// The runs of one stress command.
struct Stress<'a> {
    plan: &'a [Planned],
    options: &'a Options,
}

impl Stress<'_> {
    fn run_all(&self) -> Result<Tally, String> {
        let mut tally = Tally::default();
        for number in 1..=self.options.runs {
            self.run_once(RunContext { number, fixture: self.options.fixture }, &mut tally)?;
        }
        Ok(tally)
    }

    fn run_once(&self, context: RunContext, tally: &mut Tally) -> Result<(), String> {
        let started = Instant::now();
        tally.start_run();
        for planned in self.plan {
            tally.record(&timed(planned, context)?);
        }
        tally.end_run(started.elapsed());
        self.progress(context.number, tally);
        Ok(())
    }

    fn progress(&self, number: u32, tally: &Tally) {
        let Some(run) = tally.runs.last() else { return };
        let runs = self.options.runs;
        eprintln!(
            "stress: run {number}/{runs}: {} tests, {} failed, {:.1} s",
            run.executed, run.failed, run.seconds
        );
    }
}
