//! Close, fail and force-close through the registry, with mocked connections (paused clock).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{about, conn, drain, registry, Close, CLOSE_TIMEOUT};
use std::time::Duration;
use ws_conn::{CloseFrame, ConnError, ConnEvent, ConnState, FailCause, ForceCause};

#[tokio::test(start_paused = true)]
async fn a_close_that_succeeds_ends_closed_and_removed() {
    let registry = registry();
    let mut events = registry.subscribe();
    let id = registry.register(conn(Close::Succeeds)).unwrap().id();
    assert_eq!(registry.state(id), Some(ConnState::Active));
    registry.close(id, CloseFrame::normal()).await.unwrap();
    assert_eq!(registry.state(id), None);
    let seen = drain(&mut events);
    assert_eq!(seen, vec![ConnEvent::Opened { id }, ConnEvent::Closed { id }]);
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_close_that_fails_leaves_failed_then_the_sweep_removes_it() {
    let registry = registry();
    let mut events = registry.subscribe();
    let id = registry.register(conn(Close::Fails)).unwrap().id();
    let error = registry.close(id, CloseFrame::normal()).await.unwrap_err();
    assert!(matches!(error, ConnError::CloseFailed { id: failed, .. } if failed == id));
    assert_eq!(error.to_string(), format!("close of {id} failed: broken pipe"));
    assert_eq!(registry.state(id), Some(ConnState::Failed));
    assert_eq!(registry.sweep_once().failed, 1);
    assert!(registry.is_empty());
    let expected = vec![
        ConnEvent::Opened { id },
        ConnEvent::Failed { id, cause: FailCause::CloseError },
        ConnEvent::ForceClosed { id, cause: ForceCause::Failed },
    ];
    assert_eq!(drain(&mut events), expected);
}

#[tokio::test(start_paused = true)]
async fn a_close_that_hangs_times_out_to_failed_then_the_sweep_removes_it() {
    let registry = registry();
    let mut events = registry.subscribe();
    let id = registry.register(conn(Close::Hangs)).unwrap().id();
    let started = tokio::time::Instant::now();
    let error = registry.close(id, CloseFrame::normal()).await.unwrap_err();
    assert!(matches!(error, ConnError::CloseTimedOut { timeout: CLOSE_TIMEOUT, .. }));
    assert_eq!(started.elapsed(), CLOSE_TIMEOUT, "the paused clock ran exactly to the timeout");
    assert_eq!(registry.state(id), Some(ConnState::Failed));
    let report = registry.sweep_once();
    assert_eq!((report.failed, report.removed()), (1, 1));
    assert!(registry.is_empty());
    let seen = about(&drain(&mut events), id);
    assert!(seen.contains(&ConnEvent::Failed { id, cause: FailCause::CloseTimeout }));
    assert_eq!(seen.last(), Some(&ConnEvent::ForceClosed { id, cause: ForceCause::Failed }));
}

#[tokio::test(start_paused = true)]
async fn a_close_abandoned_midway_is_swept_as_stuck_in_closing() {
    let registry = registry();
    let id = registry.register(conn(Close::Hangs)).unwrap().id();
    let close = registry.close(id, CloseFrame::normal());
    let abandoned = tokio::time::timeout(Duration::from_secs(1), close).await;
    assert!(abandoned.is_err(), "the caller gave up before the close timeout");
    assert_eq!(registry.state(id), Some(ConnState::Closing));
    assert_eq!(registry.sweep_once().removed(), 0, "not stuck yet");
    tokio::time::advance(CLOSE_TIMEOUT).await;
    assert_eq!(registry.sweep_once().stuck_closing, 1);
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_illegal_transition_is_an_error_and_changes_nothing() {
    let registry = registry();
    let id = registry.register(conn(Close::Fails)).unwrap().id();
    registry.mark_failed(id).unwrap();
    let error = registry.close(id, CloseFrame::normal()).await.unwrap_err();
    let expected =
        ConnError::IllegalTransition { id, from: ConnState::Failed, to: ConnState::Closing };
    assert_eq!(error.to_string(), expected.to_string());
    assert!(matches!(registry.mark_failed(id), Err(ConnError::IllegalTransition { .. })));
    assert_eq!(registry.state(id), Some(ConnState::Failed));
    registry.force_close(id).unwrap();
    assert!(matches!(registry.force_close(id), Err(ConnError::NotFound { .. })));
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn closing_twice_refuses_the_second_close() {
    let registry = registry();
    let id = registry.register(conn(Close::Hangs)).unwrap().id();
    let first = tokio::spawn({
        let registry = registry.clone();
        async move { registry.close(id, CloseFrame::normal()).await }
    });
    tokio::task::yield_now().await;
    let second = registry.close(id, CloseFrame::normal()).await.unwrap_err();
    assert!(matches!(second, ConnError::IllegalTransition { from: ConnState::Closing, .. }));
    assert!(matches!(first.await.unwrap(), Err(ConnError::CloseTimedOut { .. })));
    registry.sweep_once();
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn force_close_releases_and_aborts_the_tracked_tasks() {
    let registry = registry();
    let mut events = registry.subscribe();
    let id = registry.register(conn(Close::Hangs)).unwrap().id();
    let reader = tokio::spawn(std::future::pending::<()>());
    registry.track_task(id, reader.abort_handle()).unwrap();
    registry.force_close(id).unwrap();
    assert!(reader.await.unwrap_err().is_cancelled());
    let late = tokio::spawn(std::future::pending::<()>());
    let error = registry.track_task(id, late.abort_handle()).unwrap_err();
    assert!(matches!(error, ConnError::NotFound { .. }));
    assert!(late.await.unwrap_err().is_cancelled(), "a task tied to a gone connection is aborted");
    let last = drain(&mut events).pop();
    assert_eq!(last, Some(ConnEvent::ForceClosed { id, cause: ForceCause::Requested }));
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn unknown_ids_are_not_found() {
    let registry = registry();
    let id = registry.register(conn(Close::Succeeds)).unwrap().id();
    registry.close(id, CloseFrame::normal()).await.unwrap();
    assert!(matches!(
        registry.close(id, CloseFrame::normal()).await,
        Err(ConnError::NotFound { .. })
    ));
    assert!(matches!(registry.mark_failed(id), Err(ConnError::NotFound { .. })));
    assert!(matches!(registry.record_activity(id), Err(ConnError::NotFound { .. })));
    assert_eq!(
        ConnError::NotFound { id }.to_string(),
        format!("no connection {id} in the registry")
    );
    assert!(registry.is_empty());
}
