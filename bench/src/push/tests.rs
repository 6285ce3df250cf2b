//! Tests of the push plumbing: pace, the client's check, the verification, the rate.

use super::*;
use futures::stream;

fn messages(indices: &[u64]) -> Vec<Result<Message, BenchError>> {
    let data = indices.iter().map(|index| Ok(payload::data(*index)));
    data.chain(std::iter::once(Ok(payload::end()))).collect()
}

#[tokio::test]
async fn a_client_counts_until_the_end_marker() {
    assert_eq!(receive(stream::iter(messages(&[0, 1, 2]))).await.unwrap(), 3);
    assert_eq!(receive(stream::iter(messages(&[]))).await.unwrap(), 0);
}

#[tokio::test]
async fn a_gap_or_an_early_end_fails() {
    let gap = receive(stream::iter(messages(&[0, 2]))).await.unwrap_err();
    assert!(matches!(gap, BenchError::OutOfOrder { expected: 1, got: 2 }));
    let cut = stream::iter(vec![Ok(payload::data(0))]);
    assert!(matches!(receive(cut).await, Err(BenchError::Ended { received: 1 })));
    let broken = stream::iter(vec![Err(BenchError::WebSocket("reset".into()))]);
    assert!(matches!(receive(broken).await, Err(BenchError::WebSocket(_))));
}

#[tokio::test(start_paused = true)]
async fn pace_counts_or_watches_the_clock() {
    let started = Instant::now();
    let count = Pace::new(Workload::Messages(2), started);
    assert!(count.more(1) && !count.more(2));
    let timed = Pace::new(Workload::Duration(Duration::from_secs(1)), started);
    assert!(timed.more(0) && timed.more(64));
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(!timed.more(0) && !timed.more(128));
    assert!(timed.more(5), "the clock is only read every 64 messages");
}

#[test]
fn verification_matches_counts_in_any_order() {
    assert_eq!(verify(vec![3, 5], vec![5, 3]).unwrap(), 8);
    let lost = verify(vec![3, 5], vec![5, 2]).unwrap_err();
    assert!(matches!(lost, BenchError::Lost { sent: 8, received: 7 }));
}

#[test]
fn rates_divide_by_the_time() {
    assert_eq!(Throughput { delivered: 10, seconds: 2.0, cpu_seconds: 0.5 }.per_second(), 5.0);
    assert_eq!(Throughput { delivered: 10, seconds: 0.0, cpu_seconds: 0.5 }.per_second(), 0.0);
    assert_eq!(Throughput { delivered: 10, seconds: 2.0, cpu_seconds: 3.0 }.cores_busy(), 1.5);
}

#[tokio::test]
async fn finish_joins_receivers_and_senders() {
    let task = |count: u64| tokio::spawn(async move { Ok(count) });
    let started = Start::now();
    let done =
        finish(started, vec![task(4), task(6)], vec![task(6), task(4)], Workload::Messages(5));
    let done = done.await.unwrap();
    assert_eq!(done.delivered, 10);
    assert!(done.cpu_seconds >= 0.0 && done.seconds > 0.0);
    let short = finish(started, vec![task(4)], vec![task(5)], Workload::Messages(5)).await;
    assert!(matches!(short, Err(BenchError::Lost { .. })));
    assert_eq!(
        limit(Workload::Duration(Duration::from_secs(1))),
        PUSH_LIMIT + Duration::from_secs(1)
    );
}
