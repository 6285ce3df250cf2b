//! Overhead of a sync of N no-op callbacks against a bare `join_all` of the same futures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use futures::future::join_all;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;
use ws_sync::{BoxError, Callback, Synchronizer};

async fn no_op(_state: Arc<u64>) -> Result<(), BoxError> {
    Ok(())
}

fn synchronizer(callbacks: usize, timeout: Option<Duration>) -> Synchronizer<u64> {
    let sync = Synchronizer::<u64>::builder().name("bench").default_timeout(timeout).build();
    for index in 0..callbacks {
        sync.register(Callback::warning(format!("callback-{index}"), no_op)).unwrap();
    }
    sync
}

fn sync_vs_join_all(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let mut group = criterion.benchmark_group("sync_overhead");
    for callbacks in [10usize, 100, 1000] {
        let sync = synchronizer(callbacks, Some(ws_sync::DEFAULT_TIMEOUT));
        let untimed = synchronizer(callbacks, None);
        let state = Arc::new(7u64);
        group.bench_with_input(BenchmarkId::new("join_all", callbacks), &callbacks, |bench, &n| {
            bench.iter(|| {
                runtime.block_on(async {
                    let futures = (0..n).map(|_| no_op(state.clone()));
                    black_box(join_all(futures).await)
                })
            })
        });
        group.bench_with_input(
            BenchmarkId::new("synchronizer", callbacks),
            &callbacks,
            |bench, _| {
                bench.iter(|| {
                    runtime.block_on(async { black_box(sync.sync(state.clone()).await.unwrap()) })
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("no_timeout", callbacks),
            &callbacks,
            |bench, _| {
                bench.iter(|| {
                    runtime
                        .block_on(async { black_box(untimed.sync(state.clone()).await.unwrap()) })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, sync_vs_join_all);
criterion_main!(benches);
