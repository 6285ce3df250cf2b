//! Tests of the latency axis: the open-loop schedule, the stamps, the percentiles, the
//! report, and a short run of both sides.

use super::*;
use crate::latency::clock;

#[tokio::test(start_paused = true)]
async fn the_schedule_owes_messages_by_the_clock() {
    let schedule = Schedule::new(1000.0, Duration::from_millis(10));
    assert_eq!(schedule.total, 10);
    assert_eq!(schedule.due_by(schedule.start), 1, "message 0 is due at the start");
    assert_eq!(schedule.next(0).await, Some(1));
    assert_eq!(schedule.next(1).await, Some(2), "slept one period");
    assert_eq!(schedule.due_by(schedule.start + Duration::from_secs(1)), 10, "at most total");
    assert_eq!(schedule.next(10).await, None);
    let slow = Schedule::new(0.7, Duration::from_secs(10));
    assert_eq!((slow.total, slow.period), (7, Duration::from_secs_f64(1.0 / 0.7)), "not 1/s");
}

#[test]
fn stamps_survive_the_payload() {
    let message = clock::stamped(7, 123_456);
    assert_eq!(clock::stamp(&message).unwrap(), 123_456);
    assert_eq!(crate::payload::check(&message, 7).unwrap(), crate::payload::Received::Next);
    assert!(clock::now_nanos() <= clock::now_nanos());
}

#[test]
fn percentiles_and_the_target() {
    let mut histogram = record::histogram().unwrap();
    (1..=1000).for_each(|micros| histogram.saturating_record(micros * 1000));
    let measured = Percentiles::of(&histogram, 2.0);
    assert_eq!(measured.delivered, 1000);
    assert_eq!(measured.achieved_msgs_per_sec, 500.0);
    assert!((measured.p50_us - 500.0).abs() < 1.0 && (measured.p99_us - 990.0).abs() < 1.0);
    let slower = Percentiles { p99_us: measured.p99_us + 1500.0, ..measured };
    let level =
        |reliable| LevelReport { load: 0.5, offered_msgs_per_sec: 1.0, raw: measured, reliable };
    let setup = LatencySetup { clients: 1, raw_max_msgs_per_sec: 2.0, level_secs: 2.0 };
    let met = LatencyReport::new(setup, vec![level(measured)]);
    assert_eq!(met.target.latency_pass, Some(true));
    let missed = LatencyReport::new(setup, vec![level(slower)]);
    assert_eq!(missed.target.latency_pass, Some(false));
    let table = report::table(&missed);
    assert!(table.contains("| 50% | reliable |") && table.contains("MISS"), "{table}");
}

#[tokio::test]
async fn both_sides_deliver_every_message_and_record_it() {
    let time = Duration::from_millis(300);
    let raw = raw::run(2, 1000.0, time).await.unwrap();
    let reliable = reliable::run(2, 1000.0, time).await.unwrap();
    for measured in [raw, reliable] {
        assert_eq!(measured.delivered, 600);
        assert!(measured.p50_us >= 1.0, "loopback takes a microsecond at least: {measured:?}");
        assert!(measured.p50_us <= measured.p99_9_us);
    }
}
