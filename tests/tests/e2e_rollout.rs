//! Runtime switches and the rollback guard over real sockets: switches flipped while the
//! server runs change what new sessions get, `batch` decided per session, the `conn`
//! switch stopping and restarting the sweeper, and the guard turning `sync` off on an
//! injected error spike, with its event and metric.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ws_reliability::client::ClientEvent;
use ws_reliability::monitor::Monitor;
use ws_reliability::protocol::{Frame, Hello, SessionId, SessionLostReason};
use ws_reliability::rollout::{Fix, GuardConfig, RolloutEvent, Setting};
use ws_reliability::server::{ServerConfig, SessionEvent};
use ws_reliability::sync::{Callback, Synchronizer};
use ws_reliability::{Message, SessionSync};

type Synced = Arc<Mutex<HashSet<SessionId>>>;

/// A synchronizer whose critical callback notes each session it ran for, and fails while
/// `failing` is set.
fn noting(synced: &Synced, failing: &Arc<AtomicBool>) -> Synchronizer<SessionSync> {
    let sync = Synchronizer::new("app-state");
    let (synced, failing) = (Arc::clone(synced), Arc::clone(failing));
    let callback = move |context: Arc<SessionSync>| {
        synced.lock().unwrap().insert(context.session);
        let fail = failing.load(Ordering::SeqCst);
        async move {
            if fail {
                Err("store unavailable".into())
            } else {
                Ok(())
            }
        }
    };
    sync.register(Callback::critical("reload", callback)).unwrap();
    sync
}

async fn synced_for(synced: &Synced, session: SessionId) {
    guarded("sync ran", async {
        while !synced.lock().unwrap().contains(&session) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_switch_flipped_at_runtime_decides_each_new_session() {
    let (synced, failing) = (Synced::default(), Arc::new(AtomicBool::new(false)));
    let mut config = ServerConfig::default();
    config.hooks.sync = Some(noting(&synced, &failing));
    let rollout = config.rollout.clone();
    let (server, listener) = server(config).await;
    let addr = listener.local_addr();
    let mut changes = rollout.events();

    rollout.set(Fix::Sync, Setting::Off).unwrap();
    let (skipped, _a) = open_raw(addr).await;
    rollout.set(Fix::Sync, Setting::On).unwrap();
    let (ran, _b) = open_raw(addr).await;
    synced_for(&synced, ran).await;
    assert!(!synced.lock().unwrap().contains(&skipped), "a session opened while off synced");
    assert_eq!(server.rollout().setting(Fix::Sync), Setting::On);
    let first = changes.recv().await.unwrap();
    assert_eq!(
        first,
        RolloutEvent::Changed { fix: Fix::Sync, from: Setting::On, to: Setting::Off }
    );
}

/// Opens raw sessions until each side of a 50% `batch` rollout has two.
async fn sessions_on_both_sides(
    server: &ws_reliability::server::ReliableServer,
    addr: std::net::SocketAddr,
) -> (Vec<(SessionId, Raw)>, Vec<(SessionId, Raw)>) {
    let (mut with, mut without) = (Vec::new(), Vec::new());
    while with.len() < 2 || without.len() < 2 {
        let (session, ws) = open_raw(addr).await;
        match server.rollout().enabled_for(Fix::Batch, &session) {
            true => with.push((session, ws)),
            false => without.push((session, ws)),
        }
        assert!(with.len() + without.len() < 200, "a 50% rollout put 200 sessions on one side");
    }
    (with, without)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_at_a_percentage_keeps_its_sessions_resumable_and_ends_the_others() {
    let config = ServerConfig::default();
    config.rollout.set(Fix::Batch, Setting::Percent(50)).unwrap();
    let (server, listener) = server(config).await;
    let mut events = server.events();
    let (with, without) = sessions_on_both_sides(&server, listener.local_addr()).await;
    let (kept, ended): (HashSet<_>, HashSet<_>) =
        (with.iter().map(|(id, _)| *id).collect(), without.iter().map(|(id, _)| *id).collect());
    drop((with, without)); // every connection drops without a close
    let (mut detached, mut closed) = (HashSet::new(), HashSet::new());
    guarded("every session detached or closed", async {
        while detached.len() < kept.len() || closed.len() < ended.len() {
            match events.recv().await.unwrap() {
                SessionEvent::Detached { session } => assert!(detached.insert(session)),
                SessionEvent::Closed { session } => assert!(closed.insert(session)),
                _ => {}
            }
        }
    })
    .await;
    assert_eq!((detached, closed), (kept.clone(), ended.clone()));
    let lost = ended.iter().next().unwrap();
    let resume = raw_resume_hello(*lost);
    let (frame, _ws) = raw_hello(listener.local_addr(), resume).await;
    assert_eq!(frame, Frame::SessionLost(SessionLostReason::UnknownSession));
}

/// A resume HELLO for `session` with a token that cannot matter: the session is gone.
fn raw_resume_hello(session: SessionId) -> Hello {
    let token = ws_reliability::protocol::ResumeToken::generate().unwrap();
    let resume = ws_reliability::protocol::Resume { session, token, last_received: 0 };
    Hello { resume: Some(resume), ..Hello::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_batch_loses_its_session_loudly_and_starts_a_fresh_one() {
    let config = ServerConfig::default();
    config.rollout.set(Fix::Batch, Setting::Off).unwrap();
    let (server, listener) = server(config).await;
    let injector = kill_switch(11);
    let client = faulty_client(listener.local_addr(), &injector);
    let mut client_events = client.events();
    let first = connected(&client).await;
    let mut incoming = client.incoming().unwrap();
    server.send(first, Message::text("before")).unwrap();
    assert_eq!(take(&mut incoming, 1).await, vec!["before".to_owned()]);
    kill_next(&injector);
    let lost = guarded("session lost", async {
        loop {
            if let ClientEvent::SessionLost { session, reason, .. } =
                client_events.recv().await.unwrap()
            {
                return (session, reason);
            }
        }
    });
    assert_eq!(lost.await, (Some(first), SessionLostReason::UnknownSession));
    let second = guarded("fresh session", async {
        loop {
            if let ClientEvent::Connected { session, resumed: false } =
                client_events.recv().await.unwrap()
            {
                return session;
            }
        }
    })
    .await;
    assert_ne!(second, first);
    server.send(second, Message::text("after")).unwrap();
    assert_eq!(take(&mut incoming, 1).await, vec!["after".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollback_guard_turns_sync_off_on_an_injected_error_spike() {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().unwrap();
    let (synced, failing) = (Synced::default(), Arc::new(AtomicBool::new(false)));
    let sync = noting(&synced, &failing);
    let mut config = ServerConfig::default();
    config.hooks.sync = Some(sync.clone());
    let rollout = config.rollout.clone();
    rollout.guard(Fix::Sync, GuardConfig::new(Duration::from_secs(60), 0.5, 10).unwrap());
    let (_server, listener) = server(config).await;
    let addr = listener.local_addr();
    let mut changes = rollout.events();
    let mut open = Vec::new();
    for _ in 0..10 {
        let (session, ws) = open_raw(addr).await;
        synced_for(&synced, session).await;
        open.push(ws);
    }
    assert_eq!(rollout.setting(Fix::Sync), Setting::On, "healthy syncs never trip the guard");
    // The spike: the critical callback fails, the synchronizer goes into its error state
    // and refuses every later sync, until the guard turns the fix off.
    failing.store(true, Ordering::SeqCst);
    let rolled_back = guarded("rollback", async {
        loop {
            open.push(open_raw(addr).await.1);
            tokio::time::sleep(Duration::from_millis(5)).await;
            if let Ok(event) = changes.try_recv() {
                return event;
            }
        }
    });
    let RolloutEvent::RolledBack { fix, from, error_rate, samples } = rolled_back.await else {
        panic!("expected a rollback")
    };
    assert_eq!((fix, from), (Fix::Sync, Setting::On));
    assert!(error_rate > 0.5 && samples >= 10, "{error_rate} over {samples}");
    assert_eq!(rollout.setting(Fix::Sync), Setting::Off);
    let (after, _ws) = open_raw(addr).await;
    failing.store(false, Ordering::SeqCst); // the operator fixes the store ...
    assert!(sync.recover().is_some(), "the synchronizer was in its error state");
    rollout.set(Fix::Sync, Setting::On).unwrap(); // ... and turns the fix back on
    let (back, _ws2) = open_raw(addr).await;
    synced_for(&synced, back).await;
    assert!(!synced.lock().unwrap().contains(&after), "synced after the rollback");
    let rollbacks = snapshotter.snapshot().into_vec().into_iter().find(|(key, ..)| {
        key.key().name() == "ws_reliability_rollbacks_total"
            && key.key().labels().any(|label| label.value() == "sync")
    });
    let value = rollbacks.map(|(.., value)| value);
    assert_eq!(value, Some(metrics_util::debugging::DebugValue::Counter(1)));
}

#[tokio::test]
async fn the_monitor_switch_skips_the_built_in_checks_and_says_so() {
    let mut config = ServerConfig::default();
    let rollout = config.rollout.clone();
    config.hooks.sync = Some(Synchronizer::new("empty"));
    let (server, _listener) = server(config).await;
    let mut monitor = Monitor::new();
    server.register_checks(&mut monitor).unwrap();
    rollout.set(Fix::Monitor, Setting::Off).unwrap();
    let off = monitor.run().await;
    assert!(off.checks().iter().all(|check| check.message().contains("switched off")), "{off:?}");
    rollout.set(Fix::Monitor, Setting::On).unwrap();
    let on = monitor.run().await;
    assert!(on.checks().iter().all(|check| !check.message().contains("switched off")), "{on:?}");
    assert_eq!(on.checks().len(), 4);
}
