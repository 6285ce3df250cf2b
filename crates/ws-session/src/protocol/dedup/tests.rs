//! Unit tests of in-order delivery: deliver once, drop duplicates, refuse gaps.

use super::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

type Snapshot = Vec<(
    metrics_util::CompositeKey,
    Option<metrics::Unit>,
    Option<metrics::SharedString>,
    DebugValue,
)>;

fn counter(snapshot: &Snapshot, name: &str) -> u64 {
    let found = snapshot.iter().find(|(key, ..)| key.key().name() == name);
    match found {
        Some((_, _, _, DebugValue::Counter(value))) => *value,
        _ => 0,
    }
}

// [M5.2] in order from 1
#[test]
fn delivers_in_order_from_one() {
    let mut receiver = InOrder::new();
    for seq in 1..=100 {
        assert_eq!(receiver.accept(seq), Ok(Delivery::Deliver));
    }
    assert_eq!(receiver.last_delivered(), 100);
}

// [M5.2] duplicates dropped
#[test]
fn drops_everything_already_delivered() {
    let mut receiver = InOrder::resuming_after(10);
    assert_eq!(receiver.accept(10), Ok(Delivery::Duplicate));
    assert_eq!(receiver.accept(1), Ok(Delivery::Duplicate));
    assert_eq!(receiver.accept(0), Ok(Delivery::Duplicate));
    assert_eq!(receiver.accept(11), Ok(Delivery::Deliver));
    assert_eq!(receiver.last_delivered(), 11);
}

// [M5.2] a gap is an error (1002)
#[test]
fn reports_a_gap_and_stays_put() {
    let mut receiver = InOrder::resuming_after(4);
    assert_eq!(receiver.accept(6), Err(ProtocolError::Gap { expected: 5, received: 6 }));
    assert_eq!(receiver.last_delivered(), 4);
    assert_eq!(receiver.accept(5), Ok(Delivery::Deliver));
}

#[test]
fn counts_duplicates_and_gaps() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let mut receiver = InOrder::new();
        let _ = receiver.accept(1);
        let _ = receiver.accept(1);
        let _ = receiver.accept(1);
        let _ = receiver.accept(9);
    });
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    assert_eq!(counter(&snapshot, "ws_protocol_duplicates_dropped_total"), 2);
    assert_eq!(counter(&snapshot, "ws_protocol_sequence_gaps_total"), 1);
}

// found by `cargo fuzz run reader -a`: fuzz/regressions/reader/crash-85a8e7f8…
#[test]
fn the_last_number_is_delivered_once() {
    let mut receiver = InOrder::resuming_after(u64::MAX - 1);
    assert_eq!(receiver.accept(u64::MAX), Ok(Delivery::Deliver));
    assert_eq!(receiver.accept(u64::MAX), Ok(Delivery::Duplicate), "delivered twice");
    assert_eq!(receiver.accept(1), Ok(Delivery::Duplicate));
    assert_eq!(receiver.last_delivered(), u64::MAX);
}
