//! Tests of the connections report: the idle CPU, the rows and the JSON keys.

use super::*;

fn side(rss: u64, cpu_secs: u64) -> HeldSide {
    let before = crate::idle::Reading { rss: 1000, peak: 1000, connections: 0 };
    let after = crate::idle::Reading { rss: 1000 + rss * 10, peak: 0, connections: 10 };
    let memory = IdleMemory::new(10, before, after);
    let window = Duration::from_secs(60);
    let idle = IdleCpu::new(window, Duration::from_secs(cpu_secs), Duration::ZERO, 10);
    HeldSide { connect_secs: 2.0, memory, idle }
}

#[test]
fn cpu_is_per_second_of_the_window() {
    let idle = side(100, 3).idle;
    assert_eq!(idle.server_cpu_per_sec, 0.05);
    assert_eq!((idle.idle_window_secs, idle.held_after_idle), (60.0, 10));
}

#[test]
fn the_table_and_the_json_show_both_sides() {
    let setup = ConnectionsSetup::new(19_000, "limits".into());
    assert_eq!((setup.client_processes, setup.source_addresses), (2, 594));
    let report = ConnectionsReport { setup, raw: side(3000, 0), reliable: side(6000, 6) };
    let table = table(&report);
    assert!(table.contains("| server RSS per connection, B | 3000 | 6000 | 2.00x |"), "{table}");
    assert!(table.contains("| connections per second | 5 | 5 | 1.00x |"), "{table}");
    assert!(table.contains("| server CPU per second idle, cores | 0 | 0.1000 |  |"), "{table}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["reliable"]["bytes_per_connection"], 6000);
    assert_eq!(json["raw"]["server_cpu_per_sec"], 0.0);
    assert_eq!(json["connections"], 19_000);
}
