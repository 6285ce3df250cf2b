//! [`Sequence`]: one client's check of what it received against exactly-once, in-order
//! delivery of the numbers 0, 1, 2, ... the server sent it.

use std::cmp::Ordering;

/// What one received number was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The next number expected.
    InOrder,
    /// A number already received: delivered twice.
    Duplicate,
    /// A number past the next expected: the ones between were skipped.
    Gap,
}

/// Received numbers so far and every violation seen.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sequence {
    next: u64,
    /// Distinct numbers received.
    pub received: u64,
    /// Numbers received again.
    pub duplicated: u64,
    /// Numbers received past a gap.
    pub out_of_order: u64,
}

impl Sequence {
    /// Checks one received number.
    pub fn observe(&mut self, number: u64) -> Verdict {
        match number.cmp(&self.next) {
            Ordering::Equal => self.advance(number, Verdict::InOrder),
            Ordering::Less => {
                self.duplicated += 1;
                Verdict::Duplicate
            }
            Ordering::Greater => self.advance(number, Verdict::Gap),
        }
    }

    fn advance(&mut self, number: u64, verdict: Verdict) -> Verdict {
        self.next = number + 1;
        self.received += 1;
        self.out_of_order += u64::from(verdict == Verdict::Gap);
        verdict
    }

    /// The next number expected.
    pub fn next(&self) -> u64 {
        self.next
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
        assert_eq!((sequence.duplicated, sequence.out_of_order), (0, 0));
    }

    #[test]
    fn duplicates_gaps_and_losses_are_told_apart() {
        let mut sequence = Sequence::default();
        let verdicts: Vec<_> = [0, 1, 1, 4, 2, 5].map(|number| sequence.observe(number)).into();
        use Verdict::*;
        assert_eq!(verdicts, [InOrder, InOrder, Duplicate, Gap, Duplicate, InOrder]);
        assert_eq!((sequence.received, sequence.duplicated, sequence.out_of_order), (4, 2, 1));
        assert_eq!(sequence.lost(6), 2);
        assert_eq!(sequence.lost(3), 0);
    }
}
