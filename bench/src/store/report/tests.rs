//! Tests of the store report: the verdicts, the rows and the JSON keys.

use super::*;
use crate::args::Workload;
use crate::store::storm::{Outcome, Percentiles, StormSetup};

fn push(delivered: u64) -> Throughput {
    Throughput { delivered, seconds: 1.0, cpu_seconds: 2.0 }
}

fn setup() -> StoreSetup {
    let workload = Setup::new(100, Workload::Messages(100_000));
    StoreSetup { workload, redis_server: "on 127.0.0.1:1".into(), load_average: "1.5".into() }
}

fn sides(rates: [u64; 5]) -> Vec<StoreSide> {
    let raw_rate = 4_000_000.0;
    Backend::ALL
        .into_iter()
        .zip(rates)
        .map(|(store, rate)| StoreSide::new(store, push(rate), raw_rate))
        .collect()
}

fn storm(p99_ms: f64, lost: usize) -> StormReport {
    let setup =
        StormSetup { store: NodeStoreFor::Redb, clients: 1000, reconnect_backoff: "b".into() };
    let outcome = Outcome { resumed: 1000 - lost, sessions_lost: lost, not_resumed: 0 };
    let times = Percentiles { p50_ms: 1.0, p99_ms, max_ms: p99_ms };
    let pass = lost == 0 && p99_ms < P99_TARGET_MS;
    StormReport { setup, restart_secs: 0.2, outcome, times, pass }
}

use crate::store::storm::node::NodeStore as NodeStoreFor;

#[test]
fn each_target_has_its_verdict() {
    let rates = [3_000_000, 2_900_000, 1_200_000, 2_000_000, 900_000];
    let measured =
        Measured { raw: push(4_000_000), stores: sides(rates), storms: vec![storm(900.0, 0)] };
    let report = StoreReport::new(setup(), measured);
    let verdicts = report.verdicts;
    assert!((verdicts.in_memory.default_ratio - 3.0 / 4.0).abs() < 1e-9);
    assert!((verdicts.in_memory.memory_store_ratio - 2.9 / 3.0).abs() < 1e-9);
    assert!(!verdicts.in_memory.default_pass, "0.75x raw");
    assert!(verdicts.redb_pass && !verdicts.redis_pass);
    assert_eq!(verdicts.storm_pass, Some(true));
    assert_eq!(report.stores[2].ratio_to_raw, 0.3);
}

#[test]
fn a_fast_default_a_lost_session_or_no_storm_show() {
    let rates = [3_000_000, 2_000_000, 1_000_000, 1, 1_000_000];
    let storms = vec![storm(100.0, 0), storm(100.0, 1)];
    let measured = Measured { raw: push(3_300_000), stores: sides(rates), storms };
    let verdicts = StoreReport::new(setup(), measured).verdicts;
    assert!(verdicts.in_memory.default_pass, "0.91x raw");
    assert!(verdicts.redb_pass && verdicts.redis_pass);
    assert_eq!(verdicts.storm_pass, Some(false));
    let none = Measured { raw: push(1), stores: sides(rates), storms: Vec::new() };
    assert_eq!(StoreReport::new(setup(), none).verdicts.storm_pass, None);
}

#[test]
fn the_table_and_the_json_show_every_side() {
    let rates = [3_000_000, 2_900_000, 1_200_000, 2_000_000, 900_000];
    let measured =
        Measured { raw: push(4_000_000), stores: sides(rates), storms: vec![storm(2500.0, 0)] };
    let report = StoreReport::new(setup(), measured);
    let table = table(&report);
    assert!(
        table.contains("| raw tokio-tungstenite (not durable) | 4 000 000 | 1.00x | 2.00 | |"),
        "{table}"
    );
    assert!(
        table.contains(
            "| MemoryStore | 2 900 000 | 0.72x | 2.00 | 0.97x the default's (write-ahead in memory; no target) |"
        ),
        "{table}"
    );
    assert!(table.contains("| RedisStore | 900 000 | 0.23x | 2.00 | >= 1 M/s: MISS |"), "{table}");
    let default = "| in memory (the default: no store) | 3 000 000 | 0.75x | 2.00 | unchanged, >= 0.9x raw: MISS |";
    assert!(table.contains(default), "{table}");
    assert!(
        table.contains(
            "| redb | 0.20 | 1000 | 0 | 0 | 1.0 | 2500.0 | 2500.0 | p99 < 2000 ms, 0 lost: MISS |"
        ),
        "{table}"
    );
    assert!(
        table.contains("load average 1.5") && table.contains("100 000 messages each"),
        "{table}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["stores"][4]["store"], "redis");
    assert_eq!(json["stores"][3]["store"], "redb_os_cache");
    assert_eq!(json["stores"][1]["durable_msgs_per_sec"], 2_900_000.0);
    assert_eq!(
        (json["raw_msgs_per_sec"].as_f64(), json["clients"].as_u64()),
        (Some(4e6), Some(100))
    );
    assert_eq!(
        (json["redis_pass"].as_bool(), json["storm_pass"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(json["storms"][0]["p99_ms"], 2500.0);
    assert_eq!(json["durable_target_msgs_per_sec"], 1e6);
    assert_eq!(json["default_ratio"], 0.75);
    assert_eq!(json["default_pass"], false);
}
