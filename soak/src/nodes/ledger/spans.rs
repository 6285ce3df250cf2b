//! [`Spans`]: a set of numbers kept as the few runs they come in.

use std::ops::Range;

/// Numbers as runs: a producer's sends (one run per incarnation of it), or the numbers a
/// client's deliveries passed over (one run per jump).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Spans {
    runs: Vec<Range<u64>>,
}

impl Spans {
    /// Adds `number`: to the run it continues, else as a run of its own.
    pub fn add(&mut self, number: u64) {
        if self.runs.iter().any(|run| run.contains(&number)) {
            return;
        }
        match self.runs.iter_mut().find(|run| run.end == number) {
            Some(run) => run.end += 1,
            None => self.runs.push(number..number + 1),
        }
    }

    /// Adds the run `run`.
    pub fn add_run(&mut self, run: Range<u64>) {
        self.runs.push(run);
    }

    /// How many numbers of `self` are also in `other`.
    pub fn common(&self, other: &Spans) -> u64 {
        let pairs =
            self.runs.iter().flat_map(|mine| other.runs.iter().map(move |theirs| (mine, theirs)));
        pairs.map(|(mine, theirs)| overlap(mine, theirs)).sum()
    }

    /// How many numbers are above `floor`.
    pub fn above(&self, floor: u64) -> u64 {
        self.runs.iter().map(|run| run.end.saturating_sub(run.start.max(floor + 1))).sum()
    }
}

fn overlap(left: &Range<u64>, right: &Range<u64>) -> u64 {
    left.end.min(right.end).saturating_sub(left.start.max(right.start))
}

#[cfg(test)]
mod tests {
    use super::Spans;

    #[test]
    fn runs_count_what_they_share_and_what_lies_above() {
        let mut sent = Spans::default();
        [1, 2, 3, 7, 8, 2].into_iter().for_each(|number| sent.add(number));
        let mut skipped = Spans::default();
        skipped.add_run(3..7);
        assert_eq!(sent.common(&skipped), 1, "3 was sent and passed over");
        assert_eq!(sent.above(2), 3, "3, 7 and 8");
        assert_eq!(sent.above(8), 0);
    }
}
