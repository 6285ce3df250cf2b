//! Tests of the latency axis: the open-loop schedule, the stamps, the percentiles, the
//! report, and a short run of both sides.

use super::*;
use crate::latency::clock;
use crate::latency::rounds::{Cores, FromDue, RoundP99, WorkerLoads};
use crate::workers::WorkerLoad;

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
    let stamps = clock::Stamps { sent: 9_000, due: 8_000 };
    let twice = clock::stamped_twice(3, stamps);
    assert_eq!(clock::stamps(&twice).unwrap(), stamps);
    assert_eq!(crate::payload::check(&twice, 3).unwrap(), crate::payload::Received::Next);
    assert!(clock::stamps(&ws_reliability::Message::text("short")).is_err());
}

#[tokio::test(start_paused = true)]
async fn each_message_is_due_a_period_after_the_one_before() {
    let schedule = Schedule::new(1000.0, Duration::from_millis(10));
    let start = clock::nanos_at(schedule.start.into_std());
    assert_eq!(schedule.due_nanos(0), start);
    assert_eq!(schedule.due_nanos(3), start + 3_000_000);
    assert!(clock::nanos_at(std::time::Instant::now()) >= start);
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
    let met = LatencyReport::new(setup(1), vec![level(measured, measured)]);
    assert_eq!(met.target.latency_pass, Some(true));
    assert_eq!(met.target.rounds_within_margin, Some(1));
    let missed = LatencyReport::new(setup(1), vec![level(measured, slower)]);
    assert_eq!(missed.target.latency_pass, Some(false));
    assert_eq!(missed.target.rounds_within_margin, Some(0));
    let table = report::table(&missed);
    assert!(table.contains("| 50% | reliable |") && table.contains("MISS"), "{table}");
    assert!(table.contains("1 round(s)") && !table.contains("per round"), "{table}");
    assert!(table.contains("raw max 0.00 M msgs/s (measured)"), "{table}");
    assert!(table.contains("| max us | cores |") && table.contains(" | 1.50 |\n"), "{table}");
    let json = serde_json::to_value(&missed).unwrap();
    assert_eq!(json["levels"][0]["cores"]["raw"], 1.25);
    assert_eq!(json["levels"][0]["from_due"]["reliable"]["p99_us"], slower.p99_us);
    let due = format!(
        "50%: from each message's due time, raw / reliable: p50 500 / 500 us, \
        p99 990 / {:.0} us",
        slower.p99_us
    );
    assert!(table.contains(&due), "{table}");
    let workers = "50%: tokio's workers, raw / reliable: busy 1.20 / 1.40 cores, \
        parked 300 / 300 times a second\n";
    assert!(table.contains(workers), "{table}");
    assert_eq!(json["levels"][0]["workers"]["reliable"]["busy_cores"], 1.4);
    assert_eq!(json["levels"][0]["workers"]["raw"]["parks_per_sec"], 300.0);
}

/// A load at 50% whose one round measured `raw` and `reliable`.
fn level(raw: Percentiles, reliable: Percentiles) -> LevelReport {
    let round = RoundP99 { raw_p99_us: raw.p99_us, reliable_p99_us: reliable.p99_us };
    let cores = Cores { raw: 1.25, reliable: 1.5 };
    let from_due = FromDue { raw, reliable };
    let rounds = vec![round];
    let measured = WorkerLoad { busy_cores: 1.2, parks_per_sec: 300.0 };
    let workers =
        WorkerLoads { raw: measured, reliable: WorkerLoad { busy_cores: 1.4, ..measured } };
    let offered_msgs_per_sec = 1.0;
    LevelReport { load: 0.5, offered_msgs_per_sec, raw, reliable, rounds, cores, from_due, workers }
}

fn setup(rounds: u32) -> LatencySetup {
    LatencySetup {
        clients: 1,
        raw_max_msgs_per_sec: 2.0,
        raw_max_given: false,
        level_secs: 2.0,
        rounds,
    }
}

#[test]
fn the_target_is_judged_on_the_pooled_rounds_and_each_round_is_listed() {
    let calm = Percentiles { p99_us: 2_000.0, ..Percentiles::default() };
    let mut half = level(calm, Percentiles { p99_us: 2_500.0, ..calm });
    let episode = RoundP99 { raw_p99_us: 2_100.0, reliable_p99_us: 9_000.0 };
    half.rounds.extend([episode, RoundP99 { raw_p99_us: 1_900.0, reliable_p99_us: 2_800.0 }]);
    let report = LatencyReport::new(setup(3), vec![half]);
    assert_eq!(report.target.latency_pass, Some(true), "the pooled p99s decide");
    assert_eq!(report.target.rounds_within_margin, Some(2));
    let table = report::table(&report);
    let line = "50%: p99 per round, raw / reliable us: 2000 / 2500, 2100 / 9000, 1900 / 2800; \
        within raw + 1 ms in 2 of 3";
    assert!(table.contains(line) && table.contains("3 round(s)"), "{table}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["levels"][0]["rounds"][1]["reliable_p99_us"], 9_000.0);
    assert_eq!(json["rounds_within_margin"], 2);
}

#[tokio::test]
async fn both_sides_deliver_every_message_and_record_it() {
    let time = Duration::from_millis(300);
    let raw = raw::run(2, 1000.0, time).await.unwrap();
    let reliable = reliable::run(2, 1000.0, time).await.unwrap();
    for side in [&raw, &reliable] {
        let sent = side.percentiles();
        let due = side.from_due();
        assert!(due.p50_us >= sent.p50_us && due.max_us >= sent.max_us, "{due:?} {sent:?}");
    }
    for measured in [raw.percentiles(), reliable.percentiles()] {
        assert_eq!(measured.delivered, 600);
        assert!(measured.p50_us >= 1.0, "loopback takes a microsecond at least: {measured:?}");
        assert!(measured.p50_us <= measured.p99_9_us);
    }
}
