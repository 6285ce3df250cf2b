//! Tests of the fan-out axis's pieces: the stamps of a paced phase, the delivered rate
//! over a phase, the report's levels and table.

use super::*;
use crate::latency::Percentiles;
use cores::{Cores, Measured};
use report::table;

#[test]
fn paced_broadcasts_are_stamped_when_due() {
    let paced = Paced::new(100.0, Duration::from_secs(1), 0.5);
    assert_eq!((paced.schedule.total, paced.load), (100, 0.5));
    let messages = paced.messages(2..4);
    let stamps: Vec<u64> = messages.iter().map(|message| clock::stamp(message).unwrap()).collect();
    assert_eq!(stamps, [paced.start_nanos + 20_000_000, paced.start_nanos + 30_000_000]);
    assert_eq!(crate::payload::index(&messages[1]).unwrap(), 3);
}

#[test]
fn a_phase_lasts_from_its_start_to_the_last_arrival() {
    assert_eq!(span_secs(1_000_000_000, 3_500_000_000), 2.5);
    assert_eq!(span_secs(1_000_000_000, 10), 0.0, "an arrival before the start counts as none");
}

#[test]
fn the_report_pairs_raw_and_reliable_per_load() {
    let setup = FanoutSetup::new(10_000, Duration::from_secs(3), "limits".into());
    assert_eq!(setup.client_processes, 1);
    let latency = |rate| Percentiles { achieved_msgs_per_sec: rate, ..Percentiles::default() };
    let cores = Cores { server_cores: 1.5, clients_cores: 0.25 };
    let at = |rate: f64| Measured { latency: latency(rate), cores };
    let raw =
        RawSide { max: at(100_000.0), levels: vec![at(10_000.0), at(50_000.0), at(90_000.0)] };
    let reliable = [at(9_000.0), at(40_000.0), at(60_000.0)];
    let reliable = reliable.map(|measured| ReliableLevel { measured, refused: 7 }).to_vec();
    let report = FanoutReport::new(setup, raw, reliable);
    assert_eq!(report.raw_max_broadcasts_per_sec, 10.0);
    assert_eq!(report.levels.len(), 3);
    let half = report.levels[1];
    assert_eq!((half.offered.load, half.offered.offered_broadcasts_per_sec), (0.5, 5.0));
    assert_eq!(half.offered.offered_msgs_per_sec, 50_000.0);
    assert_eq!(half.reliable.latency.achieved_msgs_per_sec, 40_000.0);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["levels"][1]["offered_broadcasts_per_sec"], 5.0);
    assert_eq!(json["levels"][2]["reliable_refused"], 7);
    assert_eq!(json["levels"][0]["raw"]["server_cores"], 1.5);
    let table = table(&report);
    assert!(table.contains("| 50% | reliable | 5.0 | 50000 | 40000 |"), "{table}");
    assert!(table.contains("| 0 | 1.50 | 0.25 | 7 |"), "{table}");
    assert!(table.contains("| max | raw | 10.0 (achieved) |"), "{table}");
}
