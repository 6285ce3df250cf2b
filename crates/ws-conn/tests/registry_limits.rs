//! The connection limit, the accept-rate guard and refusals during shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{config, conn, Close};
use std::time::Duration;
use ws_conn::{CloseCode, CloseFrame, ConnError, Refusal, Registry};

fn refusal(result: Result<impl std::fmt::Debug, ConnError>) -> (Refusal, CloseCode) {
    match result.unwrap_err() {
        ConnError::Refused { reason, close_code } => (reason, close_code),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn beyond_the_limit_a_connection_is_refused_with_1013() {
    let mut config = config();
    config.limits.max_connections = 2;
    let registry = Registry::new(config);
    let first = registry.register(conn(Close::Succeeds)).unwrap().id();
    let admission = registry.admit().unwrap();
    let error = registry.register(common::scripted(Close::Succeeds, 0)).unwrap_err();
    assert_eq!(error.close_code(), Some(CloseCode::TRY_AGAIN_LATER));
    assert_eq!(error.to_string(), "connection refused (limit), close code 1013");
    assert_eq!(refusal(registry.admit()), (Refusal::Limit, CloseCode::TRY_AGAIN_LATER));
    drop(admission);
    let second = registry.admit().unwrap().register(conn(Close::Succeeds)).id();
    registry.close(first, CloseFrame::normal()).await.unwrap();
    let third = registry.register(conn(Close::Succeeds)).unwrap().id();
    assert_eq!(registry.len(), 2);
    for id in [second, third] {
        registry.close(id, CloseFrame::normal()).await.unwrap();
    }
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_reconnect_storm_meets_the_accept_rate_guard() {
    let mut config = ws_conn::ConnConfig::default();
    (config.limits.accept_burst, config.limits.accept_per_second) = (10, 5);
    let registry = Registry::new(config);
    let admitted: Vec<_> = (0..50).filter_map(|_| registry.admit().ok()).collect();
    assert_eq!(admitted.len(), 10, "the burst, then nothing");
    assert_eq!(refusal(registry.admit()), (Refusal::Rate, CloseCode::TRY_AGAIN_LATER));
    tokio::time::advance(Duration::from_secs(1)).await;
    let refilled = (0..50).filter_map(|_| registry.admit().ok()).count();
    assert_eq!(refilled, 5, "five a second");
    drop(admitted);
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_rate_refusal_gives_the_slot_back() {
    let mut config = ws_conn::ConnConfig::default();
    (config.limits.max_connections, config.limits.accept_burst) = (1, 1);
    let registry = Registry::new(config);
    drop(registry.admit().unwrap());
    assert_eq!(refusal(registry.admit()).0, Refusal::Rate);
    tokio::time::advance(Duration::from_secs(1)).await;
    let admission = registry.admit().expect("the slot was freed after the rate refusal");
    assert_eq!(admission.activity().idle_at(tokio::time::Instant::now()), Duration::ZERO);
    drop(admission);
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_registry_shutting_down_refuses_with_going_away() {
    let registry = Registry::new(config());
    let report = registry.shutdown(Duration::from_secs(1)).await;
    assert_eq!((report.closed, report.force_closed), (0, 0));
    let refused = registry.register(common::scripted(Close::Succeeds, 0));
    assert_eq!(refusal(refused), (Refusal::ShuttingDown, CloseCode::GOING_AWAY));
    assert_eq!(Refusal::ShuttingDown.to_string(), "shutting_down");
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_admission_not_yet_registered_is_counted_as_pending_until_it_registers_or_drops() {
    let registry = Registry::new(config());
    let waiting = registry.admit().unwrap();
    let registering = registry.admit().unwrap();
    assert_eq!((registry.pending(), registry.len()), (2, 0));
    let id = registering.register(conn(Close::Succeeds)).id();
    assert_eq!((registry.pending(), registry.len()), (1, 1));
    drop(waiting);
    assert_eq!(registry.pending(), 0);
    registry.close(id, CloseFrame::normal()).await.unwrap();
}

#[test]
fn the_handshake_limits_of_a_registry_come_from_its_config() {
    let mut config = config();
    config.limits.handshake.max_in_progress = 1;
    let registry = Registry::new(config);
    let permit = registry.handshakes().begin().unwrap();
    assert_eq!(registry.handshakes().in_progress(), 1);
    assert!(registry.handshakes().begin().is_err());
    drop(permit);
    assert!(registry.handshakes().begin().is_ok());
}
