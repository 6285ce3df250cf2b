//! [`Report`]: the figures of a soak run, the success checks they meet or miss, and the
//! table printed at the end. The JSON form is the same struct serialized: one flat object
//! with snake_case keys (every section is flattened).

mod checks;
mod sections;
mod table;

pub use checks::{checks, percent, Check};
pub use sections::{
    Absorbed, Anomalies, Churn, Counts, Delivery, Faults, Health, Monitored, Recovery, Resources,
    Run, ServerCloses, ServerEnd, Sides, Traffic,
};
pub use table::table;

use crate::stats::Summary;
use serde::Serialize;

/// The raw figures a run measured; [`Report::new`] derives the rest.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// The run's parameters.
    pub run: Run,
    /// Messages sent and what the clients made of them.
    pub counts: Counts,
    /// Injected faults matched against what the system reported, delays and stalls, and
    /// every fault by the end it was injected under.
    pub faults: Faults,
    /// Connections coming and going.
    pub churn: Churn,
    /// The server at the end: ghosts, full outboxes, the monitor's runs.
    pub server: ServerEnd,
    /// Seconds from each lost connection to its client's next session.
    pub recovery: Summary,
    /// Peak resident set size and growth per idle connection of the soak process, bytes.
    pub memory: Resources,
}

/// What `ws-soak` prints (as a table or one JSON object) and writes to the report file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The run's parameters.
    #[serde(flatten)]
    pub run: Run,
    /// Delivery figures.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Fault figures.
    #[serde(flatten)]
    pub faults: Faults,
    /// Ghosts, churn and monitoring.
    #[serde(flatten)]
    pub health: Health,
    /// Recovery after a lost connection.
    #[serde(flatten)]
    pub recovery: Recovery,
    /// Memory.
    #[serde(flatten)]
    pub resources: Resources,
    /// Every success check and target.
    pub checks: Vec<Check>,
    /// Whether every required check passed.
    pub passed: bool,
}

impl Report {
    /// Derives rates and checks from what a run measured.
    pub fn new(measured: Measured) -> Report {
        let mut report = Report::figures(measured);
        report.checks = checks(&report);
        report.passed = report.checks.iter().all(|check| check.met || !check.required);
        report
    }

    /// The figures of a run, not checked yet.
    fn figures(m: Measured) -> Report {
        let delivery = Delivery::new(&m.counts, m.run.duration_seconds);
        let health = Health::new(m.churn, m.server, m.run.connections);
        let recovery = Recovery::new(&m.recovery);
        let Measured { run, faults, memory: resources, .. } = m;
        Report { run, delivery, faults, health, recovery, resources, ..Report::default() }
    }

    /// The exit status of the run: 0 when every required check passed.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.passed)
    }
}

/// `part / whole`, 1 when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests;

/// Writes `report` as pretty JSON to `path`, creating its folder.
pub fn write(report: &impl Serialize, path: &std::path::Path) -> Result<(), crate::SoakError> {
    let failed = |source| crate::SoakError::Report { path: path.display().to_string(), source };
    if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    let json =
        serde_json::to_string_pretty(report).map_err(std::io::Error::other).map_err(failed)?;
    std::fs::write(path, json + "\n").map_err(failed)
}
