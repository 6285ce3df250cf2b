//! A bounded history of recent reports: the oldest goes when a new one would overflow it.

use crate::report::HealthReport;
use std::collections::VecDeque;

/// The most recent reports, oldest first, at most `capacity` of them (at least one).
#[derive(Debug)]
pub(crate) struct History {
    capacity: usize,
    reports: VecDeque<HealthReport>,
}

impl History {
    /// Room for `capacity` reports; memory is reserved up front only for the first few, so
    /// a huge capacity (meant as "unbounded") cannot abort on allocation.
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let reserved = capacity.min(crate::monitor::DEFAULT_HISTORY);
        Self { capacity, reports: VecDeque::with_capacity(reserved) }
    }

    pub(crate) fn push(&mut self, report: HealthReport) {
        if self.reports.len() == self.capacity {
            self.reports.pop_front();
        }
        self.reports.push_back(report);
    }

    pub(crate) fn latest(&self) -> Option<&HealthReport> {
        self.reports.back()
    }

    pub(crate) fn to_vec(&self) -> Vec<HealthReport> {
        self.reports.iter().cloned().collect()
    }
}
