//! Tests of the clients' recording: the order check, the phase lines and their merge.

use super::*;

#[test]
fn indices_must_grow_but_may_skip() {
    let mut tally = Tally::default();
    tally.next(0, 10).unwrap();
    tally.next(3, 20).unwrap();
    assert_eq!((tally.delivered, tally.last_arrival), (2, 20));
    let error = tally.next(3, 30).unwrap_err();
    assert!(matches!(error, BenchError::OutOfOrder { expected: 4, got: 3 }));
    assert!(tally.next(1, 30).is_err());
}

#[test]
fn a_phase_ends_with_its_last_client() {
    let mut phase = PhaseLine::default();
    let tally = |delivered, last_arrival| Tally { delivered, last_arrival, last_index: None };
    assert_eq!(phase.ended(tally(5, 100), 2), None);
    let done = phase.ended(tally(7, 90), 2).unwrap();
    assert_eq!((done.clients, done.delivered, done.last_arrival_nanos), (2, 12, 100));
    assert_eq!(phase, PhaseLine::default(), "the next phase starts empty");
}

#[test]
fn lines_merge_counts_and_latencies() {
    let mut histogram = crate::latency::record::histogram().unwrap();
    (1..=100).for_each(|micros| histogram.saturating_record(micros * 1000));
    let one = PhaseLine {
        clients: 3,
        delivered: 100,
        last_arrival_nanos: 5,
        buckets: buckets(&histogram),
    };
    let mut merged = PhaseLine { last_arrival_nanos: 9, ..PhaseLine::default() };
    merged.merge(one.clone());
    merged.merge(one);
    assert_eq!((merged.clients, merged.delivered, merged.last_arrival_nanos), (6, 200, 9));
    let latencies = merged.histogram().unwrap();
    assert_eq!(latencies.len(), 200);
    assert!((latencies.value_at_quantile(0.99) as f64 / 1000.0 - 99.0).abs() < 0.5);
    let json = serde_json::to_string(&merged).unwrap();
    assert_eq!(serde_json::from_str::<PhaseLine>(&json).unwrap(), merged);
}

#[tokio::test]
async fn readers_record_stamped_messages_and_report_their_ends() {
    let recording = Recorder::start().unwrap();
    let mut ends = recording.ends;
    let sent = crate::mono::now_nanos();
    let messages = [clock::stamped(0, sent), Message::Ping(vec![].into()), clock::stamped(2, sent)];
    let stream = messages.into_iter().chain([payload::end(), clock::stamped(1, sent)]).map(Ok);
    read(futures::stream::iter(stream), Arc::clone(&recording.recorder), 1).await;
    let ended = ends.recv().await.unwrap().unwrap();
    assert_eq!(ended.delivered, 2);
    assert!(ended.last_arrival >= sent);
    let buckets = recording.recorder.drain().unwrap();
    let recorded: u64 = buckets.iter().map(|bucket| bucket.count).sum();
    assert_eq!(recorded, 3, "two of the ended phase, one of the next");
    assert!(recording.recorder.drain().unwrap().is_empty(), "drained");
    assert!(ends.try_recv().is_err(), "the phase after the marker has not ended");
}
