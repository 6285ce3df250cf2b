//! The success metrics of a soak run (`/work/shared/design.md` § Success metrics): each
//! required one must be met for the run to pass; targets are reported, not enforced.

use super::Report;
use serde::Serialize;

/// One success metric, its value in this run and whether it was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The metric.
    pub metric: &'static str,
    /// Its value in this run.
    pub value: String,
    /// What it must be.
    pub goal: &'static str,
    /// Whether missing it fails the run (else it is a target).
    pub required: bool,
    /// Whether it was met.
    pub met: bool,
}

/// A check: its name, goal, whether it is required, and how to evaluate it.
struct Spec {
    metric: &'static str,
    goal: &'static str,
    required: bool,
    evaluate: fn(&Report) -> (String, bool),
}

const SPECS: [Spec; 11] = [
    Spec { metric: "delivery rate", goal: ">= 99.9%", required: true, evaluate: delivery },
    Spec { metric: "lost", goal: "0 (target)", required: false, evaluate: lost },
    Spec { metric: "duplicated", goal: "0", required: true, evaluate: duplicated },
    Spec { metric: "out of order", goal: "0", required: true, evaluate: out_of_order },
    Spec { metric: "misdelivered", goal: "0", required: true, evaluate: misdelivered },
    Spec { metric: "silent failures", goal: "0", required: true, evaluate: silent },
    Spec { metric: "ghost rate at end", goal: "0%", required: true, evaluate: ghosts },
    Spec { metric: "monitoring coverage", goal: "100%", required: true, evaluate: coverage },
    Spec { metric: "recovery mean", goal: "< 30 s", required: true, evaluate: recovery_mean },
    Spec {
        metric: "recovery p99",
        goal: "< 1 s (target)",
        required: false,
        evaluate: recovery_p99,
    },
    Spec { metric: "full outboxes at end", goal: "0 (target)", required: false, evaluate: stuck },
];

/// Every check of `report`, plus one that faults were injected when a rate was set.
pub fn checks(report: &Report) -> Vec<Check> {
    let mut all: Vec<Check> = SPECS.iter().map(|spec| spec.check(report)).collect();
    let (value, met) = faults_injected(report);
    all.push(Check { metric: "faults injected", value, goal: "> 0", required: true, met });
    all
}

impl Spec {
    fn check(&self, report: &Report) -> Check {
        let (value, met) = (self.evaluate)(report);
        Check { metric: self.metric, value, goal: self.goal, required: self.required, met }
    }
}

fn delivery(report: &Report) -> (String, bool) {
    let rate = report.delivery.delivery_rate;
    (percent(rate), rate >= 0.999)
}

fn lost(report: &Report) -> (String, bool) {
    zero(report.delivery.lost)
}

fn duplicated(report: &Report) -> (String, bool) {
    zero(report.delivery.counts.anomalies.duplicated)
}

fn out_of_order(report: &Report) -> (String, bool) {
    zero(report.delivery.counts.anomalies.out_of_order)
}

fn misdelivered(report: &Report) -> (String, bool) {
    zero(report.delivery.counts.anomalies.misdelivered)
}

fn silent(report: &Report) -> (String, bool) {
    zero(report.faults.silent_failures)
}

fn ghosts(report: &Report) -> (String, bool) {
    let rate = report.health.ghost_rate;
    (percent(rate), rate == 0.0)
}

fn coverage(report: &Report) -> (String, bool) {
    let monitoring = report.health.server.monitoring;
    (percent(monitoring.coverage), monitoring.coverage >= 1.0 && monitoring.runs > 0)
}

fn recovery_mean(report: &Report) -> (String, bool) {
    let mean = report.recovery.mean;
    (format!("{mean:.3} s"), mean < 30.0)
}

fn recovery_p99(report: &Report) -> (String, bool) {
    let p99 = report.recovery.p99;
    (format!("{p99:.3} s"), p99 < 1.0)
}

/// A run with a fault rate must have injected faults, or it proved nothing.
fn faults_injected(report: &Report) -> (String, bool) {
    let injected = report.faults.faults_injected;
    (injected.to_string(), injected > 0 || report.run.fault_rate == 0.0)
}

fn stuck(report: &Report) -> (String, bool) {
    zero(report.health.server.full_outboxes_at_end)
}

fn zero(count: u64) -> (String, bool) {
    (count.to_string(), count == 0)
}

/// A fraction as a percentage with three decimals.
pub fn percent(fraction: f64) -> String {
    format!("{:.3}%", fraction * 100.0)
}
