//! A whole `ws-bench` run in small: both push runs and both idle-memory probes, the probe
//! servers being the real `ws-bench serve` child processes; and the binary's own exit status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use clap::Parser;
use std::path::Path;
use std::process::Command;
use ws_bench::args::Args;

const EXE: &str = env!("CARGO_BIN_EXE_ws-bench");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_measures_both_sides() {
    let args =
        Args::parse_from(["ws-bench", "--clients", "3", "--messages", "500", "--idle", "20"]);
    let report = ws_bench::run::run(&args, Path::new(EXE)).await.unwrap();
    assert_eq!(report.throughput.raw.delivered, 1500);
    assert_eq!(report.throughput.reliable.delivered, 1500);
    assert!(report.throughput.raw_rate > 0.0 && report.throughput.ratio > 0.0);
    let memory = report.memory.unwrap();
    assert_eq!((memory.raw.connections, memory.reliable.connections), (20, 20));
    assert!(memory.raw.loaded_rss >= memory.raw.baseline_rss && memory.reliable.peak_rss > 0);
}

#[test]
fn the_binary_prints_one_json_object_and_exits_zero() {
    let output = Command::new(EXE)
        .args(["--clients", "2", "--messages", "300", "--idle", "10", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["clients"], 2);
    assert!(json["ratio"].as_f64().unwrap() > 0.0);
    assert!(json["reliable_idle_bytes_per_conn"].is_u64() && json["throughput_pass"].is_boolean());
}

#[test]
fn a_failed_run_exits_two() {
    let output =
        Command::new(EXE).args(["--clients", "1000000000", "--idle", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("open files"));
}
