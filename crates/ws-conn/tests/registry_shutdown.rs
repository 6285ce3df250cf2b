//! Graceful shutdown: close everything under a deadline, then force-close the rest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{about, conn, drain, registry, Close};
use std::time::Duration;
use ws_conn::{CloseFrame, ConnError, ConnEvent, ConnState, ForceCause, Registry};
use ws_conn::{ConnId, ShutdownReport};

#[tokio::test(start_paused = true)]
async fn shutdown_closes_who_answers_and_forces_a_peer_that_never_answers() {
    let registry = registry();
    let mut events = registry.subscribe();
    let polite = registry.register(conn(Close::Succeeds)).unwrap().id();
    let silent = registry.register(conn(Close::Hangs)).unwrap().id();
    let broken = registry.register(conn(Close::Fails)).unwrap().id();
    let already_failed = registry.register(conn(Close::Succeeds)).unwrap().id();
    registry.mark_failed(already_failed).unwrap();
    let started = tokio::time::Instant::now();
    let report = registry.shutdown(Duration::from_secs(2)).await;
    assert_eq!(started.elapsed(), Duration::from_secs(2), "waited for the deadline, no longer");
    assert_eq!((report.closed, report.force_closed), (1, 3));
    let seen = drain(&mut events);
    assert!(seen.contains(&ConnEvent::Closed { id: polite }));
    for id in [silent, broken, already_failed] {
        assert!(seen.contains(&ConnEvent::ForceClosed { id, cause: ForceCause::Shutdown }));
    }
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn shutdown_with_everyone_answering_returns_before_the_deadline() {
    let registry = registry();
    for _ in 0..10 {
        registry.register(conn(Close::Succeeds)).unwrap();
    }
    let started = tokio::time::Instant::now();
    let report = registry.shutdown(Duration::from_secs(30)).await;
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!((report.closed, report.force_closed), (10, 0));
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_connection_admitted_before_shutdown_and_registered_after_it_is_force_closed() {
    let registry = registry();
    let mut events = registry.subscribe();
    let admission = registry.admit().unwrap();
    let report = registry.shutdown(Duration::from_secs(2)).await;
    assert_eq!(report, ShutdownReport::default(), "nothing was registered yet");
    // The handshake of an admitted socket finished after the shutdown: no ghost is left.
    let id = admission.register(conn(Close::Hangs)).id();
    assert!(registry.is_empty());
    let expected =
        [ConnEvent::Opened { id }, ConnEvent::ForceClosed { id, cause: ForceCause::Shutdown }];
    assert_eq!(about(&drain(&mut events), id), expected);
}

#[tokio::test(start_paused = true)]
async fn a_grace_meant_as_never_waits_for_the_closes_without_overflowing() {
    let registry = registry();
    registry.register(conn(Close::Succeeds)).unwrap();
    let report = registry.shutdown(Duration::MAX).await;
    assert_eq!((report.closed, report.force_closed), (1, 0));
    assert!(registry.is_empty());
}

/// Starts a close of `id` the way the application would, in its own task.
fn close_in_flight(
    registry: &Registry,
    id: ConnId,
) -> tokio::task::JoinHandle<Result<(), ConnError>> {
    let registry = registry.clone();
    tokio::spawn(async move { registry.close(id, CloseFrame::normal()).await })
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_a_close_already_in_flight_finish_within_the_grace() {
    let registry = registry();
    let mut events = registry.subscribe();
    let id = registry.register(conn(Close::AnswersAfter(Duration::from_secs(1)))).unwrap().id();
    let closing = close_in_flight(&registry, id);
    tokio::task::yield_now().await;
    assert_eq!(registry.state(id), Some(ConnState::Closing));
    let started = tokio::time::Instant::now();
    let report = registry.shutdown(Duration::from_secs(2)).await;
    assert_eq!(started.elapsed(), Duration::from_secs(1), "waited for the answer, no longer");
    assert!(closing.await.unwrap().is_ok(), "the application's close completed");
    assert_eq!(report.force_closed, 0);
    assert!(drain(&mut events).contains(&ConnEvent::Closed { id }));
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn shutdown_forces_a_close_in_flight_that_outlives_the_grace() {
    let registry = registry();
    let id = registry.register(conn(Close::Hangs)).unwrap().id();
    let closing = close_in_flight(&registry, id);
    tokio::task::yield_now().await;
    let started = tokio::time::Instant::now();
    let report = registry.shutdown(Duration::from_secs(2)).await;
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(report.force_closed, 1);
    assert!(registry.is_empty());
    closing.abort();
}
