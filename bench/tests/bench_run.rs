//! A whole `ws-bench` run in small: both push runs and both idle-memory probes, the probe
//! servers being the real `ws-bench serve` child processes; and the binary's own exit status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use clap::Parser;
use std::path::Path;
use std::process::Command;
use ws_bench::args::Args;

const EXE: &str = env!("CARGO_BIN_EXE_ws-bench");

/// What a successful run of the binary printed: its JSON object and its stderr.
struct Ran {
    json: serde_json::Value,
    stderr: String,
}

/// Runs the binary with `args`, asserts it exited 0, and parses its stdout.
fn run_json(args: &[&str]) -> Ran {
    let output = Command::new(EXE).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    Ran { json: serde_json::from_slice(&output.stdout).unwrap(), stderr }
}

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
    let json = run_json(&["--clients", "2", "--messages", "300", "--idle", "10", "--json"]).json;
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

#[test]
fn fanout_measures_both_sides_from_client_processes() {
    let json = run_json(&["--fanout", "--sessions", "40", "--duration", "1", "--json"]).json;
    assert_eq!((json["sessions"].as_u64(), json["client_processes"].as_u64()), (Some(40), Some(1)));
    assert!(json["raw_max_broadcasts_per_sec"].as_f64().unwrap() > 0.0);
    let levels = json["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 3);
    for level in levels {
        let offered = level["offered_broadcasts_per_sec"].as_f64().unwrap();
        let delivered = level["reliable"]["delivered"].as_u64().unwrap();
        let refused = level["reliable_refused"].as_u64().unwrap();
        // every broadcast due in the second reached every session, or was refused
        let due = (offered.max(1.0) as u64) * 40;
        assert!(delivered + refused >= due.saturating_sub(40), "{level}");
        assert!(level["raw"]["p99_us"].as_f64().unwrap() > 0.0, "{level}");
        assert!(level["reliable"]["p99_us"].as_f64().unwrap() > 0.0, "{level}");
        assert!(level["reliable"]["server_cores"].as_f64().unwrap() >= 0.0, "{level}");
    }
    assert!(json["admission"].as_str().unwrap().contains("per address: 64 connections"));
}

#[test]
fn latency_rounds_alternate_and_every_rounds_messages_are_pooled() {
    let Ran { json, stderr } =
        run_json(&["--latency", "--clients", "2", "--duration", "1", "--rounds", "2", "--json"]);
    assert_eq!((json["rounds"].as_u64(), json["level_secs"].as_f64()), (Some(2), Some(1.0)));
    assert_eq!(json["raw_max_given"], false, "measured first");
    let levels = json["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 3);
    for level in levels {
        let per_client = (level["offered_msgs_per_sec"].as_f64().unwrap() / 2.0) as u64;
        let delivered = 2 * 2 * per_client;
        assert_eq!(level["raw"]["delivered"].as_u64(), Some(delivered), "{level}");
        assert_eq!(level["reliable"]["delivered"].as_u64(), Some(delivered), "{level}");
        assert_eq!(level["rounds"].as_array().unwrap().len(), 2, "{level}");
        assert!(level["rounds"][1]["reliable_p99_us"].as_f64().unwrap() > 0.0, "{level}");
        let cores = |side: &str| level["cores"][side].as_f64().unwrap();
        assert!(cores("raw") > 0.0 && cores("reliable") > 0.0, "busy while each ran: {level}");
        for side in ["raw", "reliable"] {
            let p99 = |figures: &serde_json::Value| figures[side]["p99_us"].as_f64().unwrap();
            assert!(p99(&level["from_due"]) >= p99(level), "sent after due: {level}");
            let workers = &level["workers"][side];
            assert!(workers["busy_cores"].as_f64().unwrap() > 0.0, "tokio counted: {level}");
            assert!(workers["parks_per_sec"].as_f64().is_some(), "parks counted: {level}");
        }
    }
    assert!(json["rounds_within_margin"].as_u64().unwrap() <= 2);
    assert!(json["latency_pass"].is_boolean());
    assert!(stderr.contains("latency 50% reliable round 2:"), "{stderr}");
}

#[test]
fn a_given_raw_maximum_sets_the_offered_loads() {
    let Ran { json, stderr } = run_json(&[
        "--latency",
        "--clients",
        "2",
        "--duration",
        "1",
        "--raw-max",
        "2000",
        "--json",
    ]);
    assert_eq!(json["raw_max_given"], true);
    let offered: Vec<f64> = json["levels"].as_array().unwrap().iter().map(offered_rate).collect();
    assert_eq!(offered, [200.0, 1000.0, 1800.0], "10%, 50% and 90% of the given 2 000 msgs/s");
    assert!(!stderr.contains("raw's maximum push rate"), "not measured: {stderr}");
}

fn offered_rate(level: &serde_json::Value) -> f64 {
    level["offered_msgs_per_sec"].as_f64().unwrap().round()
}

#[test]
fn connections_are_held_by_one_server_process() {
    let json = run_json(&["--connections", "300", "--duration", "1", "--json"]).json;
    assert_eq!(json["source_addresses"], 10);
    for side in ["raw", "reliable"] {
        assert_eq!(json[side]["connections"], 300, "{side}");
        assert_eq!(json[side]["held_after_idle"], 300, "{side}");
        assert!(json[side]["connect_secs"].as_f64().unwrap() > 0.0, "{side}");
        assert!(json[side]["loaded_rss"].as_u64() >= json[side]["baseline_rss"].as_u64());
    }
}

#[test]
fn the_store_axis_measures_every_store_then_a_storm_per_durable_store() {
    let json = run_json(&[
        "--store",
        "--clients",
        "2",
        "--messages",
        "600",
        "--storm-clients",
        "20",
        "--json",
    ])
    .json;
    assert_eq!(json["raw_push"]["delivered"], 1200);
    let stores = json["stores"].as_array().unwrap();
    let names: Vec<_> = stores.iter().map(|side| side["store"].as_str().unwrap()).collect();
    assert_eq!(names, ["none", "memory", "redb", "redb_os_cache", "redis"]);
    for side in stores {
        assert_eq!(side["push"]["delivered"], 1200, "{side}");
        assert!(side["durable_msgs_per_sec"].as_f64().unwrap() > 0.0, "{side}");
    }
    let storms = json["storms"].as_array().unwrap();
    assert_eq!(storms.len(), 2);
    for storm in storms {
        assert_eq!(
            (storm["resumed"].as_u64(), storm["sessions_lost"].as_u64()),
            (Some(20), Some(0))
        );
        assert!(storm["max_ms"].as_f64().unwrap() >= storm["p50_ms"].as_f64().unwrap());
    }
    assert!(json["redis_server"].as_str().unwrap().contains("127.0.0.1:"));
}

#[test]
fn the_store_axis_without_redis_server_names_the_package_to_install() {
    let output = Command::new(EXE)
        .args(["--store", "--clients", "1", "--messages", "10", "--storm-clients", "0"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apt-get install redis-server"), "{stderr}");
}
