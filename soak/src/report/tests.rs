//! Tests of the report's derived figures, its checks, its JSON keys and its table.

use super::*;
use crate::silent::Matched;

fn measured() -> Measured {
    let run = Run {
        seed: 7,
        command: "cargo xtask reliability --seed 7".into(),
        connections: 100,
        duration_seconds: 10.0,
        rate: 1000,
        fault_rate: 0.001,
        faults: "kill".into(),
    };
    let traffic = Traffic { sent: 10_000, delivered: 10_000, ..Traffic::default() };
    let counts = Counts { traffic, ..Counts::default() };
    let sides = Sides { injected_under_clients: 5, injected_under_server: 6 };
    let faults = Faults::new(kills(12, 12), Absorbed::default(), sides);
    let recovery = Summary::of(&[0.01, 0.02, 0.5]);
    let monitoring = Monitored { coverage: 1.0, runs: 10 };
    let server = ServerEnd { monitoring, ..ServerEnd::default() };
    let memory = Resources::new(50 << 20, 9000);
    let server_closes =
        ServerCloses { answered: 3, failed: 2, injected: 1, interrupted: 1, seen: 4 };
    let churn = Churn { server_closes, ..Churn::default() };
    Measured { run, counts, faults, churn, server, recovery, memory }
}

/// The fault figures of kills injected and noticed.
fn kills(injected: u64, noticed: u64) -> Vec<Matched> {
    vec![Matched::pooled("kill", injected, noticed, "disconnect events")]
}

fn check<'a>(report: &'a Report, metric: &str) -> &'a Check {
    report.checks.iter().find(|check| check.metric == metric).unwrap()
}

#[test]
fn a_clean_run_passes_every_check() {
    let report = Report::new(measured());
    assert!(report.passed, "{}", table(&report));
    assert_eq!(report.exit_code(), 0);
    assert_eq!((report.delivery.delivery_rate, report.delivery.lost), (1.0, 0));
    assert_eq!(report.delivery.throughput_msgs_per_second, 1000.0);
    assert_eq!(report.checks.len(), 12);
}

#[test]
fn a_loss_under_a_thousandth_passes_but_misses_the_target() {
    let mut losing = measured();
    losing.counts.traffic.delivered = 9_995;
    let report = Report::new(losing);
    assert!(report.passed);
    assert_eq!(report.delivery.lost, 5);
    assert!(table(&report).contains("lost as gaps / still undelivered     0 / 5"));
    assert!(!check(&report, "lost").met && !check(&report, "lost").required);
    assert!(table(&report).contains("target missed"));
}

#[test]
fn each_required_metric_fails_the_run() {
    let breakers: [fn(&mut Measured); 8] = [
        |m| m.counts.traffic.delivered = 9_000,
        |m| m.counts.anomalies.duplicated = 1,
        |m| m.counts.anomalies.out_of_order = 1,
        |m| m.counts.anomalies.misdelivered = 1,
        |m| m.faults = Faults::new(kills(3, 2), Absorbed::default(), Sides::default()),
        |m| m.server.ghosts_at_end = 1,
        |m| m.server.monitoring = Monitored { coverage: 0.9, runs: 10 },
        |m| m.recovery = Summary::of(&[31.0]),
    ];
    for breaker in breakers {
        let mut broken = measured();
        breaker(&mut broken);
        let report = Report::new(broken);
        assert!(!report.passed && report.exit_code() == 1, "{}", table(&report));
        assert!(table(&report).contains("MISSED"));
    }
}

#[test]
fn a_faulty_run_without_faults_proved_nothing() {
    let mut idle = measured();
    idle.faults = Faults::new(kills(0, 0), Absorbed::default(), Sides::default());
    assert!(!Report::new(idle.clone()).passed);
    idle.run.fault_rate = 0.0;
    assert!(Report::new(idle).passed);
}

#[test]
fn the_json_object_is_flat_with_snake_case_keys() {
    let json = serde_json::to_value(Report::new(measured())).unwrap();
    for key in [
        "delivery_rate",
        "lost",
        "duplicated",
        "out_of_order",
        "silent_failures",
        "ghost_rate",
        "monitoring_coverage",
        "recovery_p50_seconds",
        "recovery_p99_seconds",
        "recovery_mean_seconds",
        "recovery_max_seconds",
        "throughput_msgs_per_second",
        "peak_rss_bytes",
        "memory_per_connection_bytes",
        "server_peak_rss_bytes",
        "server_memory_per_connection_bytes",
        "seed",
        "command",
        "disconnects",
        "skipped",
        "server_closes_answered",
        "server_closes_failed",
        "server_closes_failed_injected",
        "server_closes_failed_interrupted",
        "server_closes_seen_by_clients",
        "injected_under_clients",
        "injected_under_server",
        "passed",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["delivery_rate"], 1.0);
    assert_eq!(json["faults"][0]["kind"], "kill");
}

#[test]
fn the_table_names_the_seed_and_the_command() {
    let text = table(&Report::new(measured()));
    assert!(text.starts_with("ws-reliability soak: PASSED"));
    assert!(text.contains("seed 7\nreproduce: cargo xtask reliability --seed 7"));
    assert!(text.contains("recovery mean") && text.contains("50.0 MiB"));
    let closes = "3 / 2 (1 injected, 1 interrupted by a force-close; 4 seen by clients)";
    assert!(text.contains(closes), "{text}");
    assert!(text.contains("all, under clients / under server    5 / 6"), "{text}");
    assert_eq!(ratio(0, 0), 1.0);
}
