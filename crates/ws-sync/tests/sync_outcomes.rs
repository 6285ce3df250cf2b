//! Every outcome of a sync: ok, error, panic, timeout, and how each is classified.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::sleep;
use ws_sync::{
    BoxError, Callback, CallbackError, Criticality, Outcome, SyncError, SyncState, Synchronizer,
};

/// A callback that sleeps `millis` then succeeds, counting its runs in `runs`.
fn ok_after(
    millis: u64,
    runs: Arc<AtomicUsize>,
) -> impl Fn(Arc<u32>) -> futures::future::BoxFuture<'static, Result<(), BoxError>> + Send + Sync + 'static
{
    move |_| {
        let runs = runs.clone();
        Box::pin(async move {
            sleep(Duration::from_millis(millis)).await;
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

async fn fails(_: Arc<u32>) -> Result<(), BoxError> {
    Err("forced failure".into())
}

#[tokio::test(start_paused = true)]
async fn a_failing_critical_callback_puts_the_synchronizer_in_error() {
    let sync = Synchronizer::<u32>::new("outcomes");
    let runs = Arc::new(AtomicUsize::new(0));
    sync.register(Callback::critical("restore", fails)).unwrap();
    sync.register(Callback::critical("subscriptions", fails)).unwrap();
    sync.register(Callback::warning("presence", fails)).unwrap();
    sync.register(Callback::critical("slow", ok_after(50, runs.clone()))).unwrap();

    let error = sync.sync(1).await.unwrap_err();

    assert_eq!(sync.state(), SyncState::Error);
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the healthy callback still ran to completion");
    let SyncError::CriticalFailure { report } = &error else { panic!("unexpected {error:?}") };
    assert_eq!(report.critical_names(), vec![Arc::from("restore"), Arc::from("subscriptions")]);
    assert_eq!(report.warning_names(), vec![Arc::from("presence")]);
    let failed: Vec<_> = error.failures().iter().map(|failure| failure.name.clone()).collect();
    assert_eq!(failed.len(), 3, "all failures are carried, not only the first: {failed:?}");
    assert_eq!(report.state(), SyncState::Error);
    assert_eq!(report.verdict(), SyncState::Error);
    assert!(error.to_string().contains("restore, subscriptions"), "{error}");
    let restore = report.callback("restore").unwrap();
    assert_eq!(restore.outcome(), Outcome::Error);
    let Err(CallbackError::Failed(source)) = restore.result() else { panic!("not an error") };
    assert_eq!(source.to_string(), "forced failure");
}

#[tokio::test(start_paused = true)]
async fn a_warning_failure_lets_the_others_run_and_degrades() {
    let sync = Synchronizer::<u32>::new("outcomes");
    let runs = Arc::new(AtomicUsize::new(0));
    sync.register(Callback::warning("presence", fails)).unwrap();
    for name in ["restore", "subscriptions", "history"] {
        sync.register(Callback::critical(name, ok_after(10, runs.clone()))).unwrap();
    }

    let report = sync.sync(1).await.unwrap();

    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(sync.state(), SyncState::Degraded);
    assert_eq!(report.state(), SyncState::Degraded);
    assert_eq!(report.warning_names(), vec![Arc::from("presence")]);
    assert!(report.critical_names().is_empty());
    assert!(!report.is_clean());
    let failures = report.failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].criticality, Criticality::Warning);
    assert!(report.callbacks().iter().skip(1).all(|run| run.outcome() == Outcome::Ok));
}

#[tokio::test(start_paused = true)]
async fn a_clean_sync_returns_a_degraded_synchronizer_to_healthy() {
    let sync = Synchronizer::<u32>::new("outcomes");
    let fail_first = Arc::new(AtomicUsize::new(0));
    let counter = fail_first.clone();
    sync.register(Callback::warning("flaky", move |_| {
        let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first {
                Err("first run fails".into())
            } else {
                Ok(())
            }
        }
    }))
    .unwrap();

    sync.sync(1).await.unwrap();
    assert_eq!(sync.state(), SyncState::Degraded);
    let report = sync.sync(2).await.unwrap();
    assert!(report.is_clean());
    assert_eq!(report.state(), SyncState::Healthy);
    assert_eq!(sync.state(), SyncState::Healthy);
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_one_callback_is_caught_and_the_others_finish() {
    let sync = Synchronizer::<u32>::new("outcomes");
    let runs = Arc::new(AtomicUsize::new(0));
    sync.register(Callback::warning("before", ok_after(5, runs.clone()))).unwrap();
    sync.register(Callback::warning("panics", |_| async { panic!("boom in callback") })).unwrap();
    sync.register(Callback::warning(
        "panics-early",
        |_: Arc<u32>| -> futures::future::BoxFuture<'static, Result<(), BoxError>> {
            panic!("boom before the future")
        },
    ))
    .unwrap();
    sync.register(Callback::warning(
        "formatted",
        |id: Arc<u32>| async move { panic!("boom {id}") },
    ))
    .unwrap();
    sync.register(Callback::warning("after", ok_after(20, runs.clone()))).unwrap();

    let report = sync.sync(9).await.unwrap();

    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(sync.state(), SyncState::Degraded);
    let message = |name| match report.callback(name).unwrap().result() {
        Err(CallbackError::Panicked { message }) => message.clone(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(message("panics"), "boom in callback");
    assert_eq!(message("panics-early"), "boom before the future");
    assert_eq!(message("formatted"), "boom 9");
    assert_eq!(report.callback("panics").unwrap().outcome(), Outcome::Panic);
}

#[tokio::test(start_paused = true)]
async fn a_non_string_panic_payload_is_reported() {
    let sync = Synchronizer::<u32>::new("outcomes");
    sync.register(Callback::warning("odd", |_| async { std::panic::panic_any(42u8) })).unwrap();
    let report = sync.sync(1).await.unwrap();
    let Err(CallbackError::Panicked { message }) = report.callbacks()[0].result() else {
        panic!("not a panic")
    };
    assert_eq!(message, "non-string panic payload");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_in_one_callback_while_the_others_finish() {
    let sync = Synchronizer::<u32>::new("outcomes");
    let runs = Arc::new(AtomicUsize::new(0));
    let hung = Callback::critical("hung", |_| async {
        futures::future::pending::<()>().await;
        Ok(())
    });
    sync.register(hung.timeout(Duration::from_millis(100))).unwrap();
    sync.register(Callback::critical("quick", ok_after(30, runs.clone()))).unwrap();
    sync.register(Callback::critical("slower", ok_after(90, runs.clone()))).unwrap();

    let error = sync.sync(1).await.unwrap_err();

    assert_eq!(runs.load(Ordering::SeqCst), 2);
    let SyncError::CriticalFailure { report } = error else { panic!("unexpected") };
    let hung = report.callback("hung").unwrap();
    assert_eq!(hung.outcome(), Outcome::Timeout);
    assert_eq!(hung.duration(), Duration::from_millis(100));
    assert!(
        matches!(hung.result(), Err(CallbackError::TimedOut { after }) if *after == Duration::from_millis(100))
    );
    assert_eq!(report.callback("quick").unwrap().duration(), Duration::from_millis(30));
    assert_eq!(report.duration(), Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn the_default_timeout_bounds_callbacks_without_their_own() {
    let sync = Synchronizer::<u32>::builder()
        .name("outcomes")
        .default_timeout(Some(Duration::from_secs(2)))
        .build();
    sync.register(Callback::warning("slow", ok_after(5_000, Arc::default()))).unwrap();
    let own = Callback::warning("own", ok_after(5_000, Arc::default()));
    sync.register(own.timeout(Duration::from_secs(10))).unwrap();

    let report = sync.sync(1).await.unwrap();

    assert_eq!(report.callback("slow").unwrap().outcome(), Outcome::Timeout);
    assert_eq!(report.callback("own").unwrap().outcome(), Outcome::Ok);
    assert_eq!(report.duration(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn without_a_default_timeout_a_slow_callback_runs_to_completion() {
    let sync = Synchronizer::<u32>::builder().default_timeout(None).build();
    assert_eq!(sync.name(), ws_sync::DEFAULT_NAME);
    sync.register(Callback::warning("slow", ok_after(3_600_000, Arc::default()))).unwrap();
    let report = sync.sync(1).await.unwrap();
    assert!(report.is_clean());
    assert_eq!(report.duration(), Duration::from_secs(3600));
}

#[tokio::test]
async fn names_are_unique_and_a_sync_without_callbacks_is_clean() {
    let sync = Synchronizer::<u32>::new("outcomes");
    assert!(sync.sync(1).await.unwrap().is_clean());
    sync.register(Callback::new("restore", Criticality::Critical, fails)).unwrap();
    let error = sync.register(Callback::warning("restore", fails)).unwrap_err();
    assert!(matches!(&error, SyncError::DuplicateName { name } if &**name == "restore"));
    assert!(error.failures().is_empty());
    assert_eq!(error.to_string(), "a callback named \"restore\" is already registered");
    let callbacks = sync.callbacks();
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0].criticality(), Criticality::Critical);
    assert_eq!(callbacks[0].own_timeout(), None);
    assert!(format!("{:?} {sync:?}", callbacks[0]).contains("restore"));
}
