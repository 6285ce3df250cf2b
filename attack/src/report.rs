//! The [`Report`] of a run, its checks (which decide the exit status) and its table.

use crate::attacks::Intensity;
use crate::bystander::Bystander;
use crate::child::Ending;
use crate::tally::Closes;

/// The server's resident-set budget: 1 GiB.
pub const RSS_BUDGET: u64 = 1 << 30;
/// The share of the bystander's pings that must come back.
pub const BYSTANDER_MIN: f64 = 0.99;

/// The server limits in use (all defaults), printed with the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LimitsInUse {
    /// The child's soft RLIMIT_NOFILE.
    pub nofile: u64,
    /// Connections at once, whole server.
    pub max_connections: u64,
    /// Admissions per second, whole server.
    pub accept_per_second: u64,
    /// Connections at once, per address.
    pub per_address_connections: u64,
    /// Admissions per second, per address.
    pub per_address_per_second: u64,
    /// Upgrades in progress at once.
    pub handshakes_in_progress: u64,
    /// The upgrade's timeout, milliseconds.
    pub handshake_timeout_ms: u64,
    /// The HELLO timeout, milliseconds.
    pub hello_timeout_ms: u64,
}

/// The server's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServerFigures {
    /// VmHWM at the end of the run, bytes.
    pub peak_rss_bytes: u64,
    /// VmRSS each second of the run, MiB.
    pub rss_timeline_mib: Vec<u64>,
    /// VmRSS at the end of the run, bytes.
    pub rss_at_end_bytes: u64,
    /// The budget, bytes.
    pub rss_budget_bytes: u64,
    /// How the child ended.
    pub ending: Ending,
}

/// A run's figures and verdict.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Report {
    /// The run's length, seconds.
    pub duration_seconds: u64,
    /// The server limits in use.
    pub limits: LimitsInUse,
    /// The server child.
    pub server: ServerFigures,
    /// The bystander.
    pub bystander: Bystander,
    /// Per attack: reached and required.
    pub attacks: Vec<Intensity>,
    /// How the server ended the attackers' connections, per attack and label.
    pub closes: Closes,
    /// Every check missed.
    pub failures: Vec<String>,
    /// Whether every check passed.
    pub passed: bool,
}

impl Report {
    /// The report with its checks made.
    pub fn checked(mut self) -> Report {
        self.failures = failures(&self);
        self.passed = self.failures.is_empty();
        self
    }

    /// 0 when every check passed, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.passed)
    }
}

/// Every check the run missed.
pub fn failures(report: &Report) -> Vec<String> {
    let server = &report.server;
    let bystander = bystander_failure(&report.bystander);
    let checks = [rss_failure(server), outbox_failure(server), panic_failure(server), bystander];
    let short = report.attacks.iter().filter_map(intensity_failure);
    checks.into_iter().flatten().chain(short).collect()
}

fn rss_failure(server: &ServerFigures) -> Option<String> {
    let peak = mib(server.peak_rss_bytes);
    let text = format!("server peak RSS {peak} MiB > {} MiB", mib(server.rss_budget_bytes));
    (server.peak_rss_bytes > server.rss_budget_bytes).then_some(text)
}

/// The server's outboxes held more than its budget (`sessions.budget.max_outbox_bytes`), or it
/// never reported them.
fn outbox_failure(server: &ServerFigures) -> Option<String> {
    let Ending { peak_outbox_bytes: peak, outbox_budget_bytes: budget, .. } = server.ending;
    let text = format!("server outboxes held {} MiB > budget {} MiB", mib(peak), mib(budget));
    (budget == 0 || peak > budget).then_some(text)
}

fn panic_failure(server: &ServerFigures) -> Option<String> {
    let ending = &server.ending;
    let text = format!("server: {} panics, {}", ending.panics, ending.exit_status);
    (ending.panics > 0 || !ending.clean_exit).then_some(text)
}

fn bystander_failure(bystander: &Bystander) -> Option<String> {
    let rate = bystander.success_rate * 100.0;
    let text = format!("bystander: {rate:.2}% of pings echoed (< 99%)");
    (bystander.success_rate < BYSTANDER_MIN).then_some(text)
}

fn intensity_failure(attack: &Intensity) -> Option<String> {
    let Intensity { attack, unit, reached, minimum } = attack;
    (reached < minimum).then(|| format!("{attack}: {reached} {unit} (< {minimum})"))
}

fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

/// The report as a table.
pub fn table(report: &Report) -> String {
    let lines = [header(report), server_line(&report.server), bystander_line(&report.bystander)];
    let attacks = report.attacks.iter().map(attack_line);
    let closes =
        report.closes.iter().map(|(attack, labels)| format!("  closes {attack}: {labels:?}"));
    let all: Vec<String> = lines.into_iter().chain(attacks).chain(closes).collect();
    all.join("\n") + "\n" + &verdict(report) + "\n"
}

fn verdict(report: &Report) -> String {
    let failures = report.failures.join("; ");
    if report.passed {
        "PASS".to_owned()
    } else {
        format!("FAIL: {failures}")
    }
}

fn header(report: &Report) -> String {
    let seconds = report.duration_seconds;
    format!("ws-attack: {seconds} s against a default ReliableServer\nlimits: {:?}", report.limits)
}

fn server_line(server: &ServerFigures) -> String {
    let ending = &server.ending;
    let timeline = format!("RSS per second (MiB): {:?}", server.rss_timeline_mib);
    format!("{}; {} panics, {}\n{timeline}", rss_line(server), ending.panics, ending.exit_status)
}

fn rss_line(server: &ServerFigures) -> String {
    let peak = mib(server.peak_rss_bytes);
    let budget = mib(server.rss_budget_bytes);
    let ending = &server.ending;
    let outbox = mib(ending.peak_outbox_bytes);
    let outbox_budget = mib(ending.outbox_budget_bytes);
    let at_end = mib(server.rss_at_end_bytes);
    format!("server peak RSS {peak} MiB (budget {budget} MiB), at end {at_end} MiB; outboxes at most {outbox} MiB (budget {outbox_budget} MiB)")
}

fn bystander_line(by: &Bystander) -> String {
    let error = by.error.as_deref().map(|e| format!(", error: {e}")).unwrap_or_default();
    let rate = by.success_rate * 100.0;
    format!(
        "bystander: {}/{} echoed ({rate:.2}%), p99 {:.1} ms, max {:.1} ms{error}",
        by.echoed, by.attempted, by.p99_ms, by.max_ms
    )
}

fn attack_line(attack: &Intensity) -> String {
    let Intensity { attack, unit, reached, minimum } = attack;
    format!("  {attack:<20} {reached:>10} {unit:<12} (minimum {minimum})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passing() -> Report {
        let mut report = Report { duration_seconds: 60, ..Report::default() };
        report.server.rss_budget_bytes = RSS_BUDGET;
        report.server.peak_rss_bytes = 100 << 20;
        report.server.ending.clean_exit = true;
        report.server.ending.outbox_budget_bytes = 256 << 20;
        report.bystander.success_rate = 0.995;
        let flood =
            Intensity { attack: "session_flood", unit: "sessions", reached: 10, minimum: 10 };
        report.attacks.push(flood);
        report
    }

    #[test]
    fn a_run_within_every_bound_passes() {
        let report = passing().checked();
        assert!(report.passed, "{:?}", report.failures);
        assert_eq!(report.exit_code(), 0);
        assert!(table(&report).ends_with("PASS\n"));
    }

    #[test]
    fn each_missed_bound_fails() {
        let mut report = passing();
        report.server.peak_rss_bytes = RSS_BUDGET + 1;
        report.server.ending.panics = 1;
        report.bystander.success_rate = 0.98;
        report.attacks[0].reached = 9;
        report.server.ending.peak_outbox_bytes = (256 << 20) + 1;
        let report = report.checked();
        assert_eq!(report.failures.len(), 5, "{:?}", report.failures);
        assert_eq!(report.exit_code(), 1);
        assert!(table(&report).contains("FAIL: server peak RSS 1024 MiB > 1024 MiB"));
    }

    #[test]
    fn json_keys_are_snake_case() {
        let json = serde_json::to_string(&passing()).unwrap_or_default();
        assert!(json.contains("\"peak_rss_bytes\"") && json.contains("\"success_rate\""));
    }
}
