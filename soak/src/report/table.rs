//! The human form of a [`Report`]: the success checks first, then the figures behind them.

use super::checks::{percent, Check};
use super::Report;
use std::fmt::Write;

/// One line of a section: a name and its value.
type Row = (String, String);

/// The report as an aligned text table.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let verdict = if report.passed { "PASSED" } else { "FAILED" };
    let _ = writeln!(out, "ws-reliability soak: {verdict}\n");
    section(&mut out, "success metric", report.checks.iter().map(check_row).collect());
    section(&mut out, "figure", figure_rows(report));
    section(&mut out, "fault: injected / noticed / silent", fault_rows(report));
    let _ = writeln!(out, "seed {}\nreproduce: {}", report.run.seed, report.run.command);
    out
}

fn section(out: &mut String, title: &str, rows: Vec<Row>) {
    let _ = writeln!(out, "{title}");
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<36} {value}");
    }
    out.push('\n');
}

fn check_row(check: &Check) -> Row {
    let value = format!("{:<14} goal {:<15} {}", check.value, check.goal, mark(check));
    (check.metric.to_owned(), value)
}

fn mark(check: &Check) -> &'static str {
    match (check.met, check.required) {
        (true, _) => "ok",
        (false, true) => "MISSED",
        (false, false) => "target missed",
    }
}

fn figure_rows(report: &Report) -> Vec<Row> {
    let refused = report.delivery.counts.traffic.refused_sends;
    let run = [run_rows(&report.run), delivery_rows(&report.delivery)];
    let watch = [churn_rows(&report.health, refused), watch_rows(report)];
    let memory = [resource_rows(report), server_rows(report)];
    run.into_iter().chain(watch).chain(memory).flatten().collect()
}

fn watch_rows(report: &Report) -> Vec<Row> {
    vec![
        row("lost as gaps / still undelivered", lost_rows(&report.delivery)),
        row("faults injected (both ends)", report.run.faults.clone()),
        row("server closes answered / failed", server_closes(&report.health.churn.server_closes)),
        row("watcher events missed", report.health.churn.events_missed.to_string()),
    ]
}

fn server_closes(closes: &super::ServerCloses) -> String {
    let super::ServerCloses { answered, failed, injected, interrupted, seen } = closes;
    let causes = format!("{injected} injected, {interrupted} interrupted by a force-close");
    format!("{answered} / {failed} ({causes}; {seen} seen by clients)")
}

fn run_rows(run: &super::Run) -> Vec<Row> {
    vec![
        row("connections / seconds", format!("{} / {:.1}", run.connections, run.duration_seconds)),
        row("rate asked / fault rate", format!("{} msg/s / {}", run.rate, run.fault_rate)),
    ]
}

fn delivery_rows(delivery: &super::Delivery) -> Vec<Row> {
    let traffic = &delivery.counts.traffic;
    let delivered = format!("{} ({})", traffic.delivered, percent(delivery.delivery_rate));
    vec![
        row("sent / delivered", format!("{} / {delivered}", traffic.sent)),
        row("throughput", format!("{:.0} msg/s delivered", delivery.throughput_msgs_per_second)),
    ]
}

fn lost_rows(delivery: &super::Delivery) -> String {
    let gaps = delivery.counts.traffic.skipped.min(delivery.lost);
    pair(gaps, delivery.lost - gaps)
}

/// Churn and the server at the end; `refused` sends beside the full outboxes.
fn churn_rows(health: &super::Health, refused: u64) -> Vec<Row> {
    let churn = &health.churn;
    let server = &health.server;
    vec![
        row("disconnects / reconnects", format!("{} / {}", churn.disconnects, churn.reconnects)),
        row("connect failures / sessions lost", pair(churn.connect_failures, churn.sessions_lost)),
        row("ghosts at end / monitor runs", pair(server.ghosts_at_end, server.monitoring.runs)),
        row("refused sends / full outboxes at end", pair(refused, server.full_outboxes_at_end)),
    ]
}

fn resource_rows(report: &Report) -> Vec<Row> {
    let resources = &report.resources;
    let per_connection = resources.memory_per_connection_bytes as f64 / 1024.0;
    vec![
        row("recovery mean / p50 / p99 / max", recovery_times(&report.recovery)),
        row("peak RSS (server + clients)", mebibytes(resources.peak_rss_bytes)),
        row("memory per connection (both ends)", format!("{per_connection:.1} KiB")),
    ]
}

fn recovery_times(recovery: &super::Recovery) -> String {
    let super::Recovery { recoveries, mean, p50, p99, max } = recovery;
    format!("{mean:.3} / {p50:.3} / {p99:.3} / {max:.3} s ({recoveries} recoveries)")
}

fn server_rows(report: &Report) -> Vec<Row> {
    let resources = &report.resources;
    let per_connection = resources.server_memory_per_connection_bytes as f64 / 1024.0;
    vec![
        row("server peak RSS (own process, idle)", mebibytes(resources.server_peak_rss_bytes)),
        row("server memory per idle connection", format!("{per_connection:.1} KiB")),
    ]
}

fn fault_rows(report: &Report) -> Vec<Row> {
    let faults = &report.faults;
    let matched = faults.faults.iter().map(|line| {
        let counts = format!("{} / {} / {}", line.injected, line.noticed, line.silent);
        row(line.kind, format!("{counts:<22} noticed as: {}", line.evidence))
    });
    matched.chain(latency_rows(report)).collect()
}

fn latency_rows(report: &Report) -> [Row; 3] {
    let absorbed = &report.faults.absorbed_faults;
    let sides = &report.faults.sides;
    let delays = row("delayed writes (latency only)", absorbed.delayed_writes.to_string());
    let stalls = row("stalled reads (latency only)", absorbed.stalled_reads.to_string());
    let by_side = pair(sides.injected_under_clients, sides.injected_under_server);
    [delays, stalls, row("all, under clients / under server", by_side)]
}

fn row(name: &str, value: String) -> Row {
    (name.to_owned(), value)
}

fn pair(first: u64, second: u64) -> String {
    format!("{first} / {second}")
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
