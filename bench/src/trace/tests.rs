//! The trace's own bookkeeping: what is late, how events are counted and written.

use super::{counts, csv, late_event, Event, Kind, LATE};
use std::panic::Location;

fn event(at: u64, kind: Kind) -> Event {
    Event { at, kind, nanos: 3_000_000, extra: 1_000_000, task: Location::caller() }
}

#[test]
fn only_late_messages_are_noted() {
    let here = Location::caller();
    assert!(late_event(1_000, 1_000 + LATE, here).is_none(), "exactly LATE is on time");
    let noted = late_event(1_000, 1_001 + LATE, here).map(|event| (event.kind, event.extra));
    assert_eq!(noted, Some((Kind::Late, 1_000)), "a nanosecond more is late, from its stamp");
}

#[test]
fn events_are_counted_per_kind_and_task() {
    let events = [event(2, Kind::Wait), event(1, Kind::Wait), event(3, Kind::Poll)];
    let counts = counts(&events);
    assert_eq!(counts.len(), 2);
    assert_eq!(counts.values().sum::<u64>(), 3);
    assert!(counts.keys().any(|what| what.starts_with("wait bench/src/trace/tests.rs")));
}

#[test]
fn the_csv_is_sorted_by_time_in_milliseconds() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let events = [event(2_000_000, Kind::Late), event(1_000_000, Kind::Poll)];
    csv::write_into(dir, "raw 50%", &events);
    let name = format!("trace-{}-raw-50.csv", std::process::id());
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("1.000,poll,3.000,1.000,bench/src/trace/tests.rs"));
    assert!(lines[2].starts_with("2.000,late,3.000,1.000,"));
}
