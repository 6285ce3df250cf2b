//! The `ws_sync_*` metrics, read back from metrics-util's `DebuggingRecorder`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use metrics_util::CompositeKey;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use ws_sync::metrics::*;
use ws_sync::{BoxError, Callback, Synchronizer};

type Entry = (CompositeKey, Option<metrics::Unit>, Option<metrics::SharedString>, DebugValue);

/// Runs `test` on a paused current-thread runtime with a local debugging recorder.
fn recorded<F: Future<Output = ()>>(test: impl FnOnce() -> F) -> Vec<Entry> {
    let recorder = DebuggingRecorder::new();
    let snapshotter: Snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(test()));
    snapshotter.snapshot().into_vec()
}

/// The value of the metric `name` whose labels include all of `labels`.
fn value<'a>(entries: &'a [Entry], name: &str, labels: &[(&str, &str)]) -> Option<&'a DebugValue> {
    entries.iter().find_map(|(key, _, _, value)| {
        let key = key.key();
        let has = |(wanted, expected): &(&str, &str)| {
            key.labels().any(|label| label.key() == *wanted && label.value() == *expected)
        };
        (key.name() == name && labels.iter().all(has)).then_some(value)
    })
}

fn counter(entries: &[Entry], name: &str, labels: &[(&str, &str)]) -> u64 {
    match value(entries, name, labels) {
        Some(DebugValue::Counter(count)) => *count,
        other => panic!("{name} {labels:?}: {other:?}"),
    }
}

fn gauge(entries: &[Entry], state: &str) -> f64 {
    match value(entries, STATE, &[("synchronizer", "metrics"), ("state", state)]) {
        Some(DebugValue::Gauge(level)) => level.into_inner(),
        other => panic!("gauge {state}: {other:?}"),
    }
}

async fn fails(_: Arc<u32>) -> Result<(), BoxError> {
    Err("forced".into())
}

fn synchronizer() -> Synchronizer<u32> {
    let sync = Synchronizer::<u32>::new("metrics");
    sync.register(Callback::critical("restore", |id: Arc<u32>| async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if *id == 2 {
            Err(BoxError::from("restore failed"))
        } else {
            Ok(())
        }
    }))
    .unwrap();
    sync.register(Callback::warning("presence", fails)).unwrap();
    let hung = Callback::warning("history", |_| futures::future::pending());
    sync.register(hung.timeout(Duration::from_millis(100))).unwrap();
    sync.register(Callback::warning("panics", |_| async { panic!("boom") })).unwrap();
    sync.register(Callback::warning("handler", |_| async { Ok(()) })).unwrap();
    sync
}

#[test]
fn callbacks_are_counted_by_name_and_outcome() {
    let entries = recorded(|| async {
        let sync = synchronizer();
        sync.sync(1).await.unwrap();
        sync.sync(3).await.unwrap();
    });
    let runs = |callback, outcome| {
        counter(&entries, CALLBACKS_TOTAL, &[("callback", callback), ("outcome", outcome)])
    };
    assert_eq!(runs("restore", "ok"), 2);
    assert_eq!(runs("presence", "error"), 2);
    assert_eq!(runs("history", "timeout"), 2);
    assert_eq!(runs("panics", "panic"), 2);
    assert_eq!(runs("handler", "ok"), 2);
    assert_eq!(counter(&entries, SYNCS_TOTAL, &[("result", "degraded")]), 2);
    let Some(DebugValue::Histogram(seconds)) =
        value(&entries, SYNC_DURATION_SECONDS, &[("synchronizer", "metrics")])
    else {
        panic!("no sync duration histogram")
    };
    assert_eq!(seconds.iter().map(|value| value.into_inner()).collect::<Vec<_>>(), [0.25, 0.25]);
    let Some(DebugValue::Histogram(seconds)) =
        value(&entries, CALLBACK_DURATION_SECONDS, &[("callback", "history")])
    else {
        panic!("no callback duration histogram")
    };
    assert_eq!(seconds[0].into_inner(), 0.1);
    assert_eq!((gauge(&entries, "healthy"), gauge(&entries, "degraded")), (0.0, 1.0));
}

#[test]
fn errors_refusals_recoveries_and_handler_panics_are_counted() {
    let entries = recorded(|| async {
        let sync = Synchronizer::<u32>::builder()
            .name("metrics")
            .on_failure(|failure| assert!(&*failure.name != "presence", "handler bug"))
            .build();
        for callback in synchronizer().callbacks().iter() {
            sync.register(callback.clone()).unwrap();
        }
        sync.sync(2).await.unwrap_err();
        sync.sync(3).await.unwrap_err();
        sync.sync(4).await.unwrap_err();
        assert!(sync.recover().is_some());
    });
    assert_eq!(counter(&entries, SYNCS_TOTAL, &[("result", "error")]), 1);
    assert_eq!(counter(&entries, SYNCS_TOTAL, &[("result", "refused")]), 2);
    assert_eq!(counter(&entries, RECOVERIES_TOTAL, &[("synchronizer", "metrics")]), 1);
    assert_eq!(counter(&entries, HANDLER_PANICS_TOTAL, &[("synchronizer", "metrics")]), 1);
    assert_eq!(
        counter(&entries, CALLBACKS_TOTAL, &[("callback", "restore"), ("outcome", "error")]),
        1
    );
    assert_eq!((gauge(&entries, "healthy"), gauge(&entries, "error")), (1.0, 0.0));
}

#[test]
fn the_state_gauge_starts_healthy() {
    let entries = recorded(|| async {
        Synchronizer::<u32>::new("metrics");
    });
    assert_eq!(gauge(&entries, "healthy"), 1.0);
    assert_eq!(gauge(&entries, "degraded"), 0.0);
    assert_eq!(gauge(&entries, "error"), 0.0);
}
