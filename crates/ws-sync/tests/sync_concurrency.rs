//! Callbacks run concurrently within a sync, and syncs run concurrently from many tasks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::future::BoxFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep, Instant};
use ws_sync::{BoxError, Callback, SyncError, SyncState, Synchronizer};

/// Tracks how many callbacks run at once, and the peak.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    fn callback(
        self: &Arc<Self>,
        millis: u64,
    ) -> impl Fn(Arc<u32>) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync + 'static {
        let in_flight = self.clone();
        move |_| {
            let in_flight = in_flight.clone();
            Box::pin(async move {
                let now = in_flight.now.fetch_add(1, Ordering::SeqCst) + 1;
                in_flight.peak.fetch_max(now, Ordering::SeqCst);
                sleep(Duration::from_millis(millis)).await;
                in_flight.now.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callbacks_run_concurrently() {
    let sync = Synchronizer::<u32>::new("concurrency");
    let in_flight = Arc::new(InFlight::default());
    for index in 1..=1000u64 {
        sync.register(Callback::warning(format!("callback-{index}"), in_flight.callback(index)))
            .unwrap();
    }

    let started = Instant::now();
    let report = sync.sync(1).await.unwrap();
    let elapsed = started.elapsed();

    // Sequentially the sleeps would add up to 1 + 2 + ... + 1000 ms = 500.5 s.
    assert_eq!(report.duration(), Duration::from_millis(1000), "the longest callback's time");
    assert_eq!(elapsed, Duration::from_millis(1000));
    assert_eq!(in_flight.peak.load(Ordering::SeqCst), 1000, "all were in flight at once");
    assert_eq!(in_flight.now.load(Ordering::SeqCst), 0);
    assert_eq!(report.callbacks().len(), 1000);
    assert!(report.is_clean());
    let longest = report.callbacks().iter().map(|run| run.duration()).max().unwrap();
    assert_eq!(longest, Duration::from_millis(1000));
    assert_eq!(report.callback("callback-250").unwrap().duration(), Duration::from_millis(250));
}

/// A callback counting its runs per sync state value (each sync passes a distinct value).
fn counting(
    per_sync: Arc<Vec<AtomicUsize>>,
) -> impl Fn(Arc<u32>) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync + 'static {
    move |sync_id: Arc<u32>| {
        let per_sync = per_sync.clone();
        Box::pin(async move {
            tokio::task::yield_now().await;
            per_sync[*sync_id as usize].fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_syncs_from_many_tasks_run_each_callback_once_per_sync() {
    const TASKS: u32 = 32;
    const SYNCS_PER_TASK: u32 = 20;
    const CALLBACKS: usize = 8;
    let total = (TASKS * SYNCS_PER_TASK) as usize;
    let sync = Synchronizer::<u32>::new("concurrency");
    let per_sync: Arc<Vec<AtomicUsize>> =
        Arc::new((0..total).map(|_| AtomicUsize::new(0)).collect());
    for index in 0..CALLBACKS {
        sync.register(Callback::critical(format!("callback-{index}"), counting(per_sync.clone())))
            .unwrap();
    }

    let tasks = (0..TASKS).map(|task| {
        let sync = sync.clone();
        tokio::spawn(async move {
            for round in 0..SYNCS_PER_TASK {
                let report = sync.sync(task * SYNCS_PER_TASK + round).await.unwrap();
                assert_eq!(report.callbacks().len(), CALLBACKS);
            }
        })
    });
    for task in futures::future::join_all(tasks).await {
        task.unwrap();
    }

    assert!(per_sync.iter().all(|runs| runs.load(Ordering::SeqCst) == CALLBACKS), "once per sync");
    assert_eq!(sync.state(), SyncState::Healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_critical_failure_among_concurrent_syncs_is_atomic_and_sticky() {
    let sync = Synchronizer::<u32>::new("concurrency");
    // Fails only for sync 17, so exactly one sync can put the synchronizer in error.
    sync.register(Callback::critical("restore", |id: Arc<u32>| async move {
        tokio::task::yield_now().await;
        if *id == 17 {
            Err(BoxError::from("bad session 17"))
        } else {
            Ok(())
        }
    }))
    .unwrap();

    let tasks = (0..64u32).map(|id| {
        let sync = sync.clone();
        tokio::spawn(async move { sync.sync(id).await })
    });
    let results: Vec<_> =
        futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect();

    let critical = results
        .iter()
        .filter(|result| matches!(result, Err(SyncError::CriticalFailure { .. })))
        .count();
    let refused: Vec<_> = results
        .iter()
        .filter_map(|result| match result {
            Err(SyncError::Refused { cause }) => Some(cause.clone()),
            _ => None,
        })
        .collect();
    let succeeded = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(critical, 1);
    assert_eq!(critical + refused.len() + succeeded, 64);
    assert!(refused.iter().all(|cause| cause.len() == 1 && &*cause[0].name == "restore"));
    assert_eq!(sync.state(), SyncState::Error, "a later clean sync never clears the error");
}
