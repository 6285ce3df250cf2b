//! Tests of the upload's server-side check: per session in order, counts, the end.

use super::*;
use futures::stream;

#[test]
fn each_session_is_checked_on_its_own() {
    let mut seen = Sessions::new();
    for (session, index) in [(1, 0), (2, 0), (1, 1), (2, 1), (1, 2)] {
        seen.check(session, &payload::data(index)).unwrap();
    }
    seen.check(2, &payload::end()).unwrap();
    assert_eq!((seen.ended(), seen.total()), (1, 5));
    let mut counts = seen.counts();
    counts.sort_unstable();
    assert_eq!(counts, vec![2, 3]);
}

#[test]
fn a_gap_a_duplicate_or_a_message_after_the_end_fails() {
    let mut seen = Sessions::new();
    seen.check(7, &payload::data(0)).unwrap();
    let duplicate = seen.check(7, &payload::data(0)).unwrap_err();
    assert!(matches!(duplicate, BenchError::OutOfOrder { expected: 1, got: 0 }));
    assert!(matches!(seen.check(7, &payload::data(2)), Err(BenchError::OutOfOrder { .. })));
    seen.check(7, &payload::end()).unwrap();
    assert!(matches!(seen.check(7, &payload::data(1)), Err(BenchError::Malformed(_))));
    assert!(matches!(seen.check(7, &payload::end()), Err(BenchError::Malformed(_))));
}

#[tokio::test]
async fn the_server_reads_until_every_session_ended() {
    let pairs = vec![(1, payload::data(0)), (2, payload::end()), (1, payload::end())];
    let mut counts = receive_sessions(stream::iter(pairs), 2).await.unwrap();
    counts.sort_unstable();
    assert_eq!(counts, vec![0, 1]);
}

#[tokio::test]
async fn a_stream_that_ends_early_fails() {
    let pairs = vec![(1, payload::data(0)), (1, payload::data(1)), (2, payload::end())];
    let cut = receive_sessions(stream::iter(pairs), 3).await.unwrap_err();
    assert!(matches!(cut, BenchError::Ended { received: 2 }));
    let reordered = vec![(1, payload::data(1))];
    let failed = receive_sessions(stream::iter(reordered), 1).await.unwrap_err();
    assert!(matches!(failed, BenchError::OutOfOrder { expected: 0, got: 1 }));
}
