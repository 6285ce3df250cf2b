//! [`Latencies`]: what a client records of each message, twice. From the time it was sent
//! (the stamp its sender read when it ran), which the target is judged on, and from the
//! time it was due by the open-loop schedule, which also counts how late the sender ran:
//! a sender woken late by a busy runtime, or held by a sink waiting for room, sends its
//! due messages late, and only the second figure sees that wait (the "coordinated
//! omission" of a load that slows down with the system it measures).

use super::clock::Stamps;
use crate::BenchError;
use hdrhistogram::Histogram;

/// Significant figures the histograms keep.
const SIGNIFICANT: u8 = 3;
/// The largest latency a histogram tells apart, nanoseconds (a minute); longer ones count
/// as a minute.
const HIGHEST_NANOS: u64 = 60_000_000_000;

/// Every recorded message's latency in nanoseconds, from its send and from its due time.
#[derive(Debug, Clone)]
pub struct Latencies {
    /// From the time its sender stamped it.
    pub from_sent: Histogram<u64>,
    /// From the time the schedule owed it.
    pub from_due: Histogram<u64>,
}

impl Latencies {
    /// Nothing recorded.
    pub fn new() -> Result<Self, BenchError> {
        Ok(Latencies { from_sent: histogram()?, from_due: histogram()? })
    }

    /// Records a message stamped `stamps` that arrived at `arrived`.
    pub fn record(&mut self, stamps: Stamps, arrived: u64) {
        self.from_sent.saturating_record(arrived.saturating_sub(stamps.sent));
        self.from_due.saturating_record(arrived.saturating_sub(stamps.due));
    }

    /// Adds `other`'s messages to these.
    pub fn add(&mut self, other: &Latencies) -> Result<(), BenchError> {
        self.from_sent.add(&other.from_sent).map_err(malformed)?;
        self.from_due.add(&other.from_due).map_err(malformed)
    }

    /// How many messages were recorded.
    pub fn len(&self) -> u64 {
        self.from_sent.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An empty histogram of nanoseconds, 1 ns to a minute.
pub fn histogram() -> Result<Histogram<u64>, BenchError> {
    Histogram::new_with_bounds(1, HIGHEST_NANOS, SIGNIFICANT).map_err(malformed)
}

/// A histogram's error, as the bench reports it.
pub fn malformed(error: impl std::fmt::Display) -> BenchError {
    BenchError::Malformed(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_counts_from_its_send_and_from_its_due_time() {
        let mut latencies = Latencies::new().unwrap();
        assert!(latencies.is_empty());
        latencies.record(Stamps { sent: 5_000, due: 1_000 }, 6_000);
        let mut pooled = Latencies::new().unwrap();
        pooled.add(&latencies).unwrap();
        pooled.add(&latencies).unwrap();
        assert_eq!(pooled.len(), 2);
        assert!(pooled.from_sent.equivalent(pooled.from_sent.max(), 1_000));
        let due = pooled.from_due.max();
        assert!(pooled.from_due.equivalent(due, 5_000), "the sender ran 4 us late: {due}");
    }

    #[test]
    fn a_stamp_from_the_future_counts_as_no_time() {
        let mut latencies = Latencies::new().unwrap();
        latencies.record(Stamps { sent: 9_000, due: 8_000 }, 7_000);
        assert_eq!((latencies.from_sent.max(), latencies.from_due.max()), (0, 0));
    }
}
