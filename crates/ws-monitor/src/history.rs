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
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self { capacity, reports: VecDeque::with_capacity(capacity) }
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
