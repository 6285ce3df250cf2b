//! Ghost detection, heartbeat pings and the background sweeper (paused clock).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{about, conn, drain, registry, Close, MockScript, Scripted};
use std::time::Duration;
use ws_conn::{ConnEvent, ConnState, FailCause, ForceCause, Registry, TransportError};

const IDLE: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn a_ghost_without_pongs_is_detected_and_removed() {
    let registry = registry();
    let mut events = registry.subscribe();
    let ghost = registry.register(conn(Close::Hangs)).unwrap().id();
    let alive = registry.register(conn(Close::Succeeds)).unwrap();
    tokio::time::advance(IDLE / 2).await;
    alive.activity().record();
    tokio::time::advance(IDLE / 2 + Duration::from_secs(1)).await;
    let report = registry.sweep_once();
    assert_eq!((report.ghosts, report.removed()), (1, 1));
    assert_eq!(registry.state(ghost), None);
    assert_eq!(registry.state(alive.id()), Some(ConnState::Active));
    let seen = about(&drain(&mut events), ghost);
    assert!(matches!(seen[1], ConnEvent::GhostDetected { idle, .. } if idle > IDLE));
    assert_eq!(seen[2], ConnEvent::Failed { id: ghost, cause: FailCause::Ghost });
    assert_eq!(seen[3], ConnEvent::ForceClosed { id: ghost, cause: ForceCause::Ghost });
    registry.close(alive.id(), ws_conn::CloseFrame::normal()).await.unwrap();
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn activity_recorded_by_id_keeps_a_connection_alive() {
    let registry = registry();
    let id = registry.register(conn(Close::Succeeds)).unwrap().id();
    for _ in 0..5 {
        tokio::time::advance(IDLE - Duration::from_secs(1)).await;
        registry.record_activity(id).unwrap();
        assert_eq!(registry.sweep_once().removed(), 0);
    }
    registry.close(id, ws_conn::CloseFrame::normal()).await.unwrap();
    assert!(registry.is_empty());
}

fn pinging(ping: fn() -> Result<(), TransportError>, hang: bool) -> Scripted {
    let mut script = MockScript::new();
    script.expect_ping().returning(move || match hang {
        true => Box::pin(std::future::pending()),
        false => Box::pin(async move { ping() }),
    });
    script.expect_force_close().times(1).return_const(());
    Scripted(script)
}

#[tokio::test(start_paused = true)]
async fn the_heartbeat_pings_active_connections_and_fails_broken_ones() {
    let registry = registry();
    let mut events = registry.subscribe();
    let fine = registry.register(pinging(|| Ok(()), false)).unwrap().id();
    let broken = registry.register(pinging(|| Err(TransportError::new("reset")), false)).unwrap();
    let stalled = registry.register(pinging(|| Ok(()), true)).unwrap().id();
    let report = registry.heartbeat_once().await;
    assert_eq!((report.sent, report.failed, report.timed_out), (1, 1, 1));
    assert_eq!(registry.state(broken.id()), Some(ConnState::Failed));
    let seen = about(&drain(&mut events), broken.id());
    assert_eq!(seen[1], ConnEvent::Failed { id: broken.id(), cause: FailCause::PingError });
    assert_eq!(registry.count(ConnState::Active), 2, "a stalled ping is left to the idle timeout");
    assert_eq!(registry.sweep_once().failed, 1);
    for id in [fine, stalled] {
        registry.force_close(id).unwrap();
    }
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_background_sweeper_and_heartbeat_remove_a_silent_peer() {
    let registry = registry();
    let pinged = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut script = MockScript::new();
    let counter = pinged.clone();
    script.expect_ping().returning(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { Ok(()) })
    });
    script.expect_force_close().times(1).return_const(());
    let id = registry.register(Scripted(script)).unwrap().id();
    let maintenance = registry.spawn_maintenance();
    let mut events = registry.subscribe();
    let swept =
        async { while !matches!(events.recv().await, Ok(ConnEvent::ForceClosed { .. })) {} };
    tokio::time::timeout(Duration::from_secs(120), swept).await.unwrap();
    assert!(registry.state(id).is_none());
    assert_eq!(pinged.load(std::sync::atomic::Ordering::SeqCst), 3, "pinged at 20, 40 and 60 s");
    maintenance.stop();
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_background_sweeper_stops_with_its_handle() {
    let registry = Registry::new(common::config());
    let maintenance = registry.spawn_maintenance();
    drop(maintenance);
    let id = registry.register(conn(Close::Hangs)).unwrap().id();
    tokio::time::advance(IDLE * 3).await;
    tokio::task::yield_now().await;
    assert_eq!(registry.state(id), Some(ConnState::Active), "no sweeper runs any more");
    assert_eq!(registry.sweep_once().ghosts, 1);
    assert!(registry.is_empty());
}

#[tokio::test(start_paused = true)]
async fn intervals_meant_as_never_keep_the_maintenance_tasks_alive() {
    let mut config = common::config();
    (config.sweep_interval, config.heartbeat_interval) = (Duration::MAX, Duration::MAX);
    let registry = Registry::new(config);
    let maintenance = registry.spawn_maintenance();
    assert!(maintenance.is_running());
    tokio::time::advance(IDLE * 3).await;
    tokio::task::yield_now().await;
    assert!(maintenance.is_running(), "neither task overflowed its first deadline");
    maintenance.stop();
}
