//! The ratchet: violations known when a rule was introduced, listed in [`BASELINE`] one per
//! line as `path:function:rule` (the rule's id, e.g. `fn-length`), sorted; `#` starts a
//! comment. A listed violation is not reported; a violation not listed fails, and so does a
//! line that matches no violation any more (delete it), so the list only shrinks and stays
//! true. A function with two violations of one rule is listed twice.

use super::report::{CheckResult, Violation};
use std::path::Path;

/// The baseline file, relative to the workspace root.
pub const BASELINE: &str = "xtask/compliance-baseline.txt";

/// The lines of the baseline, each with its 1-based line number and whether a violation
/// matched it.
#[derive(Debug)]
pub struct Baseline {
    entries: Vec<Entry>,
    sorted: bool,
}

/// One line of the baseline.
#[derive(Debug)]
struct Entry {
    line: usize,
    key: String,
    matched: bool,
}

/// The baseline line that lists a violation of `rule`.
pub fn key(rule: &str, found: &Violation) -> String {
    format!("{}:{}:{}", found.path.display(), found.name, rule)
}

impl Baseline {
    /// Reads [`BASELINE`] under `root`; an absent file lists nothing.
    pub fn load(root: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(root.join(BASELINE)) {
            Ok(text) => Ok(Baseline::parse(&text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Baseline::parse("")),
            Err(error) => Err(format!("{BASELINE}: {error}")),
        }
    }

    /// The entries of a baseline's text.
    pub fn parse(text: &str) -> Self {
        let lines = text.lines().enumerate().map(|(index, line)| (index + 1, line.trim()));
        let listed = lines.filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        let entries: Vec<Entry> =
            listed.map(|(line, key)| Entry { line, key: key.to_owned(), matched: false }).collect();
        let sorted = entries.windows(2).all(|pair| pair[0].key <= pair[1].key);
        Baseline { entries, sorted }
    }

    /// Drops from `results` every violation the baseline lists, then appends the `baseline`
    /// check: its lines that matched nothing (and an unsorted list) are violations, and
    /// `scanned` is how many known violations remain.
    pub fn apply(mut self, results: &mut Vec<CheckResult>) {
        for result in results.iter_mut() {
            let rule = result.rule.clone();
            result.violations.retain(|found| !self.take(&key(&rule, found)));
        }
        results.push(self.into_result());
    }

    /// Marks the first unmatched entry equal to `key` as matched; whether there was one.
    fn take(&mut self, key: &str) -> bool {
        let entry = self.entries.iter_mut().find(|entry| !entry.matched && entry.key == key);
        entry.map(|entry| entry.matched = true).is_some()
    }

    fn into_result(self) -> CheckResult {
        let remaining = self.entries.iter().filter(|entry| entry.matched).count();
        let stale = self.entries.iter().filter(|entry| !entry.matched).map(Entry::stale);
        let mut violations: Vec<_> = stale.collect();
        let unsorted = Violation::new(Path::new(BASELINE), 1, "file", "not sorted: sort the lines");
        violations.extend((!self.sorted).then_some(unsorted));
        CheckResult::new("baseline", "baseline still true", remaining, violations)
    }
}

impl Entry {
    /// The violation of a line that matches no violation any more.
    fn stale(&self) -> Violation {
        let fix = "no longer occurs: delete the line";
        Violation::new(Path::new(BASELINE), self.line, &self.key, fix)
    }
}
