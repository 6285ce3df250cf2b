//! Tests of the report: ratios, verdicts, number grouping, the table and the JSON keys.

use super::*;
use std::time::Duration;

fn idle(connections: usize, bytes_per_connection: u64) -> IdleMemory {
    let loaded_rss = 1_000_000 + bytes_per_connection * connections as u64;
    let (baseline_rss, peak_rss) = (1_000_000, loaded_rss);
    IdleMemory { connections, baseline_rss, loaded_rss, peak_rss, bytes_per_connection }
}

fn report(memory: Option<MemoryReport>) -> Report {
    let raw = Throughput { delivered: 10_000_000, seconds: 1.0, cpu_seconds: 1.9 };
    let reliable = Throughput { delivered: 10_000_000, seconds: 2.5, cpu_seconds: 1.5 };
    let setup = Setup::new(100, Workload::Messages(100_000));
    let throughput = ThroughputReport::new(raw, reliable);
    Report { setup, throughput, memory, targets: Targets::default() }
}

#[test]
fn ratios_and_verdicts() {
    assert_eq!(ratio(4.0, 10.0), 0.4);
    assert_eq!(ratio(4.0, 0.0), 0.0);
    assert_eq!((verdict(true), verdict(false)), ("PASS", "MISS"));
    let even = Throughput { delivered: 19, seconds: 1.0, cpu_seconds: 0.5 };
    let close =
        ThroughputReport::new(Throughput { delivered: 20, seconds: 1.0, cpu_seconds: 0.5 }, even);
    assert!(close.pass && (close.ratio - 0.95).abs() < 1e-9);
    assert!(!report(None).throughput.pass);
}

#[test]
fn memory_passes_at_four_kib() {
    assert!(MemoryReport::new(idle(10, 7000), idle(10, 4096)).pass);
    let over = MemoryReport::new(idle(10, 7000), idle(10, 4097));
    assert!(!over.pass && over.connections == 10 && over.raw_bytes == 7000);
}

#[test]
fn numbers_are_grouped_by_thousands() {
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(1000), "1 000");
    assert_eq!(grouped(10_123_456), "10 123 456");
    assert_eq!(grouped(123_456), "123 456");
}

#[test]
fn the_table_shows_both_sides_and_the_verdicts() {
    let memory = MemoryReport::new(idle(10_000, 7_100), idle(10_000, 12_000));
    let table = table(&report(Some(memory)));
    assert!(table.contains("100 000 messages each") && table.contains("flush every 256"));
    let push = table.lines().find(|line| line.starts_with("push throughput")).unwrap();
    assert!(push.contains("10 000 000") && push.contains("4 000 000") && push.contains("0.40x"));
    assert!(push.ends_with("MISS") && push.contains(">= 0.95x"));
    let cores = table.lines().find(|line| line.starts_with("cores busy")).unwrap();
    assert!(cores.contains("1.90") && cores.contains("0.60") && cores.contains("0.32x"));
    let rss = table.lines().find(|line| line.starts_with("server RSS")).unwrap();
    assert!(rss.contains("7 100") && rss.contains("12 000") && rss.contains("<= 4 096"));
    assert!(table.contains("10000 connections"));
}

#[test]
fn a_timed_run_without_memory_says_so() {
    let mut report = report(None);
    report.setup = Setup::new(5, Workload::Duration(Duration::from_secs(30)));
    let table = table(&report);
    assert!(table.contains("for 30 s") && table.contains("skipped (--idle 0)"));
}

#[test]
fn json_has_the_issue_keys_at_the_top() {
    let memory = MemoryReport::new(idle(100, 7_000), idle(100, 4_000));
    let json = serde_json::to_value(report(Some(memory))).unwrap();
    for key in ["raw_msgs_per_sec", "reliable_msgs_per_sec", "ratio", "throughput_pass"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["raw_idle_bytes_per_conn"], 7_000);
    assert_eq!(json["reliable_idle_bytes_per_conn"], 4_000);
    assert_eq!(
        (json["idle_pass"].as_bool(), json["idle_connections"].as_u64()),
        (Some(true), Some(100))
    );
    assert_eq!((json["clients"].as_u64(), json["ratio_target"].as_f64()), (Some(100), Some(0.95)));
    assert!(serde_json::to_value(report(None)).unwrap().get("idle_pass").is_none());
}

#[test]
fn several_rounds_report_the_median_one_and_list_every_ratio() {
    let round = |reliable_seconds: f64| {
        let raw = Throughput { delivered: 100, seconds: 1.0, cpu_seconds: 2.0 };
        let reliable = Throughput { delivered: 100, seconds: reliable_seconds, cpu_seconds: 2.0 };
        ThroughputReport::new(raw, reliable)
    };
    let median = ThroughputReport::median(vec![round(2.0), round(4.0), round(1.25)]).unwrap();
    assert_eq!(median.ratio, 0.5);
    assert_eq!(median.round_ratios, [0.5, 0.25, 0.8]);
    assert!(ThroughputReport::median(Vec::new()).is_none());
    assert!(!table(&report(None)).contains("rounds,"), "one round lists no ratios");
    let mut several = report(None);
    several.throughput = median;
    let printed = table(&several);
    let listed = "rounds, raw then reliable alternating: 0.50x 0.25x 0.80x";
    assert!(printed.contains(listed), "{printed}");
}

#[test]
fn an_upload_run_says_so_and_only_then_has_the_key() {
    let mut report = report(None);
    assert!(serde_json::to_value(&report).unwrap().get("upload").is_none());
    report.setup = report.setup.uploading();
    let table = table(&report);
    assert!(table.contains("uploaded by 100 clients") && table.contains("client feed + flush"));
    assert!(table.lines().any(|line| line.starts_with("upload throughput")), "{table}");
    assert!(table.lines().any(|line| line.starts_with("cores busy during the upload")));
    assert!(!table.contains("push"), "{table}");
    assert_eq!(serde_json::to_value(&report).unwrap()["upload"], true);
}
