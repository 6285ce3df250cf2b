//! Overhead of a monitor run (timeout, panic guard, timing, report, metrics, history) over a
//! bare `join_all` of the same 100 trivial checks, measured side by side in one run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use futures::future::join_all;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;
use ws_monitor::{from_fn, Criticality, HealthCheck, Monitor};

const CHECKS: usize = 100;

fn trivial() -> impl HealthCheck + 'static {
    from_fn(|| Ok(String::new()))
}

fn runs(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let bare: Vec<Arc<dyn HealthCheck>> = (0..CHECKS).map(|_| Arc::new(trivial()) as _).collect();
    let mut monitor = Monitor::new();
    for index in 0..CHECKS {
        let criticality = if index % 2 == 0 { Criticality::Critical } else { Criticality::Warning };
        monitor
            .register(format!("check-{index}"), criticality, Duration::from_secs(1), trivial())
            .unwrap();
    }
    let mut group = criterion.benchmark_group("100 trivial checks");
    group.bench_function("bare join_all", |bench| {
        bench.iter(|| runtime.block_on(join_all(bare.iter().map(|check| check.check()))))
    });
    group.bench_function("monitor run", |bench| {
        bench.iter(|| black_box(runtime.block_on(monitor.run())))
    });
    group.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);
