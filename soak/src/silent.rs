//! Silent-failure matching: every injected fault must show up as an error, an event or a
//! metric of the code under test. [`Matched`] sets the count injected against the count
//! noticed; the excess is silent.

use serde::Serialize;

/// One fault kind: how many were injected, how many the system noticed, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    /// The fault kind.
    pub kind: &'static str,
    /// Injected.
    pub injected: u64,
    /// Injected and noticed (at most `injected`).
    pub noticed: u64,
    /// Injected and not noticed: silent failures.
    pub silent: u64,
    /// What counts as noticing it.
    pub evidence: &'static str,
}

impl Matched {
    /// `injected` faults against `noticed` signs of them, counted in one pool.
    pub fn pooled(kind: &'static str, injected: u64, noticed: u64, evidence: &'static str) -> Self {
        let noticed = noticed.min(injected);
        Matched { kind, injected, noticed, silent: injected - noticed, evidence }
    }

    /// Faults matched per source (a client): `(injected, noticed)` per source, so signs
    /// on one client never excuse a fault on another.
    pub fn per_source(
        kind: &'static str,
        pairs: impl IntoIterator<Item = (u64, u64)>,
        evidence: &'static str,
    ) -> Self {
        let sum = |(all, seen): (u64, u64), (injected, noticed): (u64, u64)| {
            (all + injected, seen + noticed.min(injected))
        };
        let (injected, noticed) = pairs.into_iter().fold((0, 0), sum);
        Matched::pooled(kind, injected, noticed, evidence)
    }
}

/// The silent failures of every kind together.
pub fn total_silent(matched: &[Matched]) -> u64 {
    matched.iter().map(|line| line.silent).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_matching_caps_what_was_noticed() {
        let matched = Matched::pooled("health_check", 10, 12, "metric");
        assert_eq!((matched.noticed, matched.silent), (10, 0));
        let missed = Matched::pooled("health_check", 10, 7, "metric");
        assert_eq!((missed.noticed, missed.silent), (7, 3));
    }

    #[test]
    fn per_source_matching_does_not_let_one_source_excuse_another() {
        let matched = Matched::per_source("kill", [(2, 5), (3, 1), (0, 4)], "events");
        assert_eq!((matched.injected, matched.noticed, matched.silent), (5, 3, 2));
        let all = [matched, Matched::pooled("write_error", 4, 4, "metric")];
        assert_eq!(total_silent(&all), 2);
    }
}
