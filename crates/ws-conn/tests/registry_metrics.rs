//! The `ws_conn_*` metrics, read back through metrics-util's debugging recorder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{conn, Close};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::collections::HashMap;
use std::time::Duration;
use ws_conn::{metrics as names, CloseFrame, ConnState};

/// Every metric as `name{label=value}` → value (a histogram gives its sample count),
/// added to what earlier reads saw (a snapshot hands out what changed since the last one).
fn read_into(recorder: &DebuggingRecorder, totals: &mut HashMap<String, f64>) {
    for (name, value) in read(recorder) {
        *totals.entry(name).or_default() += value;
    }
}

fn read(recorder: &DebuggingRecorder) -> HashMap<String, f64> {
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let flat = snapshot.into_iter().map(|(key, _, _, value)| {
        let key = key.key();
        let labels: Vec<_> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        let value = match value {
            DebugValue::Counter(count) => count as f64,
            DebugValue::Gauge(gauge) => gauge.into_inner(),
            DebugValue::Histogram(samples) => samples.len() as f64,
        };
        (format!("{}{{{}}}", key.name(), labels.join(",")), value)
    });
    flat.collect()
}

fn run(test: impl std::future::Future<Output = ()>) {
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_time().start_paused(true).build().unwrap().block_on(test);
}

#[test]
fn every_lifecycle_step_is_counted() {
    let recorder = DebuggingRecorder::new();
    let mut seen = HashMap::new();
    metrics::with_local_recorder(&recorder, || {
        run(async {
            let registry = common::registry();
            let closed = registry.register(conn(Close::Succeeds)).unwrap().id();
            let failed = registry.register(conn(Close::Fails)).unwrap().id();
            let hung = registry.register(conn(Close::Hangs)).unwrap().id();
            let ghost = registry.register(conn(Close::Hangs)).unwrap().id();
            registry.close(closed, CloseFrame::normal()).await.unwrap();
            registry.close(failed, CloseFrame::normal()).await.unwrap_err();
            registry.close(hung, CloseFrame::normal()).await.unwrap_err();
            read_into(&recorder, &mut seen);
            let gauge =
                |state: ConnState| seen[&format!("{}{{state={state}}}", names::CONNECTIONS)];
            assert_eq!(gauge(ConnState::Failed), 2.0);
            assert_eq!(gauge(ConnState::Active), 1.0);
            assert_eq!(gauge(ConnState::Closing), 0.0);
            tokio::time::advance(Duration::from_secs(61)).await;
            assert_eq!(registry.sweep_once().removed(), 3);
            assert!(registry.state(ghost).is_none() && registry.is_empty());
        })
    });
    read_into(&recorder, &mut seen);
    let expected = [
        (format!("{}{{}}", names::OPENED), 4.0),
        (format!("{}{{}}", names::CLOSED), 1.0),
        (format!("{}{{reason=error}}", names::CLOSE_FAILED), 1.0),
        (format!("{}{{reason=timeout}}", names::CLOSE_FAILED), 1.0),
        (format!("{}{{cause=failed}}", names::FORCE_CLOSED), 2.0),
        (format!("{}{{cause=ghost}}", names::FORCE_CLOSED), 1.0),
        (format!("{}{{}}", names::GHOSTS_DETECTED), 1.0),
        (format!("{}{{}}", names::SWEEP_SECONDS), 1.0),
    ];
    for (name, value) in expected {
        assert_eq!(seen.get(&name), Some(&value), "{name} in {seen:?}");
    }
    for state in ConnState::ALL {
        let name = format!("{}{{state={state}}}", names::CONNECTIONS);
        assert_eq!(seen.get(&name).copied().unwrap_or(0.0), 0.0, "{name} back to zero");
    }
}

#[test]
fn refusals_and_failed_pings_are_counted() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        run(async {
            let mut config = common::config();
            config.limits.max_connections = 1;
            let registry = ws_conn::Registry::new(config);
            let mut script = common::MockScript::new();
            script.expect_ping().returning(|| Box::pin(std::future::pending()));
            script.expect_force_close().times(1).return_const(());
            let id = registry.register(common::Scripted(script)).unwrap().id();
            registry.register(common::scripted(Close::Succeeds, 0)).unwrap_err();
            assert_eq!(registry.heartbeat_once().await.timed_out, 1);
            registry.force_close(id).unwrap();
            assert!(registry.is_empty());
        })
    });
    let seen = read(&recorder);
    assert_eq!(seen[&format!("{}{{reason=limit}}", names::REFUSED)], 1.0);
    assert_eq!(seen[&format!("{}{{reason=timeout}}", names::PING_FAILED)], 1.0);
    assert_eq!(seen[&format!("{}{{cause=requested}}", names::FORCE_CLOSED)], 1.0);
}

#[test]
fn admission_steps_before_the_registry_are_counted() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        run(async {
            let mut config = common::config();
            config.limits.handshake.max_in_progress = 1;
            config.limits.handshake.timeout = Duration::from_secs(1);
            let registry = ws_conn::Registry::new(config.clone());
            let stalled = registry.handshakes().run(std::future::pending::<()>());
            let refused = registry.handshakes().run(async {});
            let (stalled, refused) = tokio::join!(stalled, refused);
            assert!(stalled.is_err() && refused.is_err());
            let mut backoff = ws_conn::AcceptBackoff::default();
            backoff.pause(&std::io::Error::from_raw_os_error(24)).await;
            backoff.pause(&std::io::Error::from(std::io::ErrorKind::ConnectionReset)).await;
            let origins = ws_conn::OriginPolicy::SameHost;
            origins.check(Some("https://evil.example"), Some("ws.example")).unwrap_err();
            let _pending = registry.admit().unwrap();
        })
    });
    let seen = read(&recorder);
    let expected = [
        (names::HANDSHAKES_REFUSED.to_owned(), 1.0),
        (names::HANDSHAKE_TIMEOUTS.to_owned(), 1.0),
        (names::HANDSHAKES.to_owned(), 0.0),
        (format!("{}{{kind=listener}}", names::ACCEPT_ERRORS), 1.0),
        (format!("{}{{kind=connection}}", names::ACCEPT_ERRORS), 1.0),
        (names::ACCEPT_BACKOFFS.to_owned(), 1.0),
        (names::ORIGIN_REFUSED.to_owned(), 1.0),
        (names::ADMISSIONS_PENDING.to_owned(), 0.0),
    ];
    for (name, value) in expected {
        let name = if name.contains('{') { name } else { format!("{name}{{}}") };
        assert_eq!(seen.get(&name), Some(&value), "{name} in {seen:?}");
    }
}
