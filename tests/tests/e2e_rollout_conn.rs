//! The `conn` switch over real sockets: off stops the sweeper (and no sweep runs, counted,
//! while a silent connection turns into a ghost), on restarts it and the ghost is swept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::time::Duration;
use ws_reliability::rollout::{Fix, Setting};
use ws_reliability::server::ServerConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conn_switch_stops_and_restarts_the_sweeper() {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().unwrap();
    let mut config = ServerConfig::default();
    config.conn.heartbeat_interval = Duration::from_millis(20);
    config.conn.idle_timeout = Duration::from_millis(100);
    config.conn.sweep_interval = Duration::from_millis(20);
    let rollout = config.rollout.clone();
    let (server, listener) = server(config).await;
    let (_session, _silent) = open_raw(listener.local_addr()).await; // never answers a ping
    assert!(server.is_sweeping());
    rollout.set(Fix::Conn, Setting::Off).unwrap();
    wait_until("sweeper stopped", || !server.is_sweeping()).await;
    // "Nobody sweeps" is counted, not waited for in silence: no sweep runs over 5 sweep
    // intervals (one idle timeout, so the silent connection is a ghost by then, as the
    // sweep after the restart shows).
    sweeps_since_last_look(&snapshotter);
    let mut intervals = tokio::time::interval(Duration::from_millis(20));
    for _ in 0..=5 {
        intervals.tick().await;
    }
    assert_eq!(sweeps_since_last_look(&snapshotter), 0, "a sweep ran while conn was off");
    assert_eq!(server.registry().len(), 1, "a silent connection was swept while conn was off");
    rollout.set(Fix::Conn, Setting::On).unwrap();
    wait_until("sweeper restarted", || server.is_sweeping()).await;
    wait_until("the silent connection swept", || server.registry().is_empty()).await;
    // The sweep records its sample after it removed the connection: wait for it.
    let swept = std::cell::Cell::new(0);
    wait_until("the restarted sweeper's sweep counted", || {
        swept.set(swept.get() + sweeps_since_last_look(&snapshotter));
        swept.get() > 0
    })
    .await;
}

/// How many sweeps the registries ran since the last call: the `ws_conn_sweep_seconds`
/// samples (a snapshot drains a histogram).
fn sweeps_since_last_look(snapshotter: &metrics_util::debugging::Snapshotter) -> usize {
    let snapshot = snapshotter.snapshot().into_vec();
    let samples =
        snapshot.into_iter().filter(|(key, ..)| key.key().name() == "ws_conn_sweep_seconds");
    samples
        .map(|(.., value)| match value {
            metrics_util::debugging::DebugValue::Histogram(samples) => samples.len(),
            _ => 0,
        })
        .sum()
}
