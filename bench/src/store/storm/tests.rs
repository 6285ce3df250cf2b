//! Tests of the storm's figures: the percentiles and the tally of WELCOMEs.

use super::*;

#[test]
fn percentiles_are_nearest_rank_in_milliseconds() {
    let sorted: Vec<u64> = (1..=100).map(|ms| ms * 1_000_000).collect();
    let times = Percentiles::of(&sorted);
    assert_eq!((times.p50_ms, times.p99_ms, times.max_ms), (50.0, 99.0, 100.0));
    let one = Percentiles::of(&[3_000_000]);
    assert_eq!((one.p50_ms, one.p99_ms, one.max_ms), (3.0, 3.0, 3.0));
    assert_eq!(Percentiles::of(&[]).max_ms, 0.0);
}

#[test]
fn every_client_is_counted_once_and_a_lost_one_fails_the_storm() {
    let mut tally = Tally::default();
    tally.count(Some(Welcome::Resumed(1_500_000_000)), 1_000_000_000);
    tally.count(Some(Welcome::Resumed(900)), 1_000); // before the stamp: 0, not negative
    tally.count(Some(Welcome::Lost), 0);
    tally.count(None, 0);
    assert_eq!(tally.resume_nanos, [500_000_000, 0]);
    let outcome = tally.outcome();
    assert_eq!((outcome.resumed, outcome.sessions_lost, outcome.not_resumed), (2, 1, 1));
    let storm =
        Storm { exe: Path::new("x"), store: NodeStore::Redb, at: String::new(), clients: 4 };
    let report = StormReport::new(&storm, 0.5, tally.clone());
    assert!(!report.pass);
    assert_eq!(report.times.max_ms, 500.0);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!((json["store"].as_str(), json["sessions_lost"].as_u64()), (Some("redb"), Some(1)));
    assert!(json["reconnect_backoff"].as_str().unwrap().contains("10 ms"));
}

#[test]
fn a_storm_passes_with_every_session_resumed_fast_enough() {
    let storm =
        Storm { exe: Path::new("x"), store: NodeStore::Redis, at: String::new(), clients: 2 };
    let fast = Tally { resume_nanos: vec![10_000_000, 20_000_000], ..Tally::default() };
    assert!(StormReport::new(&storm, 0.1, fast).pass);
    let slow = Tally { resume_nanos: vec![10_000_000, 2_000_000_000], ..Tally::default() };
    assert!(!StormReport::new(&storm, 0.1, slow).pass);
}

#[tokio::test]
async fn a_watcher_that_never_hears_counts_as_not_resumed() {
    tokio::time::pause();
    let silent = tokio::spawn(std::future::pending::<Welcome>());
    let resumed = tokio::spawn(async { Welcome::Resumed(7) });
    let tally = tally(vec![resumed, silent], 5).await;
    assert_eq!((tally.resume_nanos.clone(), tally.not_resumed), (vec![2], 1));
}
