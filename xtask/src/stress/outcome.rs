//! The outcome of one test in one run, whatever runner reported it.

/// What happened to a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It ran and passed.
    Passed,
    /// It ran and failed (a timeout or a crash included).
    Failed,
    /// It was reported but not run (`#[ignore]`, an `ignore` doc test).
    Ignored,
}

/// One test's outcome in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The test's name, unique over the suite (nextest: `binary-id test::path`).
    pub name: String,
    /// What happened.
    pub verdict: Verdict,
}

impl TestOutcome {
    /// An outcome from its parts.
    pub fn new(name: impl Into<String>, verdict: Verdict) -> Self {
        TestOutcome { name: name.into(), verdict }
    }

    /// Whether the test ran (passed or failed).
    pub fn executed(&self) -> bool {
        self.verdict != Verdict::Ignored
    }

    /// Whether the test ran and failed.
    pub fn failed(&self) -> bool {
        self.verdict == Verdict::Failed
    }
}
