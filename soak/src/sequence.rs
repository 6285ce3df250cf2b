//! [`Sequence`]: one client's check of what it received against exactly-once, in-order
//! delivery of the numbers 0, 1, 2, ... the server sent it. A number past the next expected
//! opens a gap (its skipped numbers are missing: lost unless they arrive later); a missing
//! number that arrives later is out of order; any other number seen before is a duplicate.

use std::cmp::Ordering;
use std::ops::Range;

/// What one received number was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The next number expected.
    InOrder,
    /// A number past the next expected: the ones between are missing.
    Gap,
    /// A missing number, arriving after later ones: out of order.
    Late,
    /// A number already received: delivered twice.
    Duplicate,
}

/// Received numbers so far and every violation seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sequence {
    next: u64,
    missing: Vec<Range<u64>>,
    /// Distinct numbers received.
    pub received: u64,
    /// Numbers received again.
    pub duplicated: u64,
    /// Numbers received after later ones.
    pub out_of_order: u64,
}

impl Sequence {
    /// Checks one received number.
    pub fn observe(&mut self, number: u64) -> Verdict {
        let verdict = match number.cmp(&self.next) {
            Ordering::Equal => Verdict::InOrder,
            Ordering::Greater => self.skip_to(number),
            Ordering::Less => return self.earlier(number),
        };
        (self.next, self.received) = (number + 1, self.received + 1);
        verdict
    }

    fn skip_to(&mut self, number: u64) -> Verdict {
        self.missing.push(self.next..number);
        Verdict::Gap
    }

    /// A number below the next expected: late if it was missing, else a duplicate.
    fn earlier(&mut self, number: u64) -> Verdict {
        let Some(at) = self.missing.iter().position(|range| range.contains(&number)) else {
            self.duplicated += 1;
            return Verdict::Duplicate;
        };
        self.found(at, number);
        (self.received, self.out_of_order) = (self.received + 1, self.out_of_order + 1);
        Verdict::Late
    }

    /// Takes `number` out of the missing range at `at`.
    fn found(&mut self, at: usize, number: u64) {
        let range = self.missing.swap_remove(at);
        let parts = [range.start..number, number + 1..range.end];
        self.missing.extend(parts.into_iter().filter(|part| !part.is_empty()));
    }

    /// The next number expected.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Numbers skipped and not received since.
    pub fn missing(&self) -> u64 {
        self.missing.iter().map(|range| range.end - range.start).sum()
    }

    /// The ranges of numbers skipped and not received since.
    pub fn missing_ranges(&self) -> &[Range<u64>] {
        &self.missing
    }

    /// Forgets the missing ranges `settled` accepts (losses accounted for elsewhere); how
    /// many numbers they held. One of them arriving later then counts as a duplicate.
    pub fn settle(&mut self, settled: impl Fn(&Range<u64>) -> bool) -> u64 {
        let before = self.missing();
        self.missing.retain(|range| !settled(range));
        before - self.missing()
    }

    /// Messages sent (`sent` of them, numbered from 0) never received.
    pub fn lost(&self, sent: u64) -> u64 {
        sent.saturating_sub(self.received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_delivery_counts_no_violation() {
        let mut sequence = Sequence::default();
        assert!((0..100).all(|number| sequence.observe(number) == Verdict::InOrder));
        assert_eq!((sequence.received, sequence.next(), sequence.lost(100)), (100, 100, 0));
        assert_eq!((sequence.duplicated, sequence.out_of_order, sequence.missing()), (0, 0, 0));
    }

    #[test]
    fn a_gap_is_loss_not_disorder() {
        let mut sequence = Sequence::default();
        let verdicts: Vec<_> = [0, 1, 4, 5].map(|number| sequence.observe(number)).into();
        assert_eq!(verdicts, [Verdict::InOrder, Verdict::InOrder, Verdict::Gap, Verdict::InOrder]);
        assert_eq!((sequence.missing(), sequence.lost(6), sequence.out_of_order), (2, 2, 0));
    }

    #[test]
    fn a_settled_gap_is_forgotten_and_a_late_number_of_it_is_a_duplicate() {
        let mut sequence = Sequence::default();
        let verdicts = [0, 3, 4, 7].map(|number| sequence.observe(number));
        assert_eq!(verdicts[1], Verdict::Gap);
        assert_eq!(sequence.settle(|range| range.start == 1), 2);
        assert_eq!(sequence.missing(), 2, "5 and 6 are still missing");
        assert_eq!(sequence.observe(2), Verdict::Duplicate);
        assert_eq!(sequence.observe(6), Verdict::Late);
    }

    #[test]
    fn late_arrivals_and_duplicates_are_told_apart() {
        let mut sequence = Sequence::default();
        let verdicts: Vec<_> = [0, 1, 1, 5, 3, 3, 2, 4, 6].map(|n| sequence.observe(n)).into();
        use Verdict::*;
        assert_eq!(
            verdicts,
            [InOrder, InOrder, Duplicate, Gap, Late, Duplicate, Late, Late, InOrder]
        );
        assert_eq!((sequence.received, sequence.duplicated, sequence.out_of_order), (7, 2, 3));
        assert_eq!((sequence.missing(), sequence.lost(7)), (0, 0));
    }
}
