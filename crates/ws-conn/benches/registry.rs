//! Criterion bench: register, transition, lookup, and a sweep over 10,000 connections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::time::Instant;
use ws_conn::{
    AtomicState, CloseFrame, ConnConfig, ConnId, ConnState, Connection, Registry, TransportError,
};

const CONNECTIONS: usize = 10_000;

/// A transport that answers at once: the bench measures the registry only.
struct Noop;

#[async_trait::async_trait]
impl Connection for Noop {
    async fn close(&self, _frame: CloseFrame) -> Result<(), TransportError> {
        Ok(())
    }
    async fn ping(&self) -> Result<(), TransportError> {
        Ok(())
    }
    fn force_close(&self) {}
}

fn unlimited() -> Registry {
    let mut config = ConnConfig::default();
    config.limits.max_connections = usize::MAX;
    config.limits.accept_burst = u32::MAX;
    config.limits.accept_per_second = u32::MAX;
    Registry::new(config)
}

/// A registry holding `count` active connections, and their ids.
fn filled(count: usize) -> (Registry, Vec<ConnId>) {
    let registry = unlimited();
    let ids = (0..count).map(|_| registry.register(Noop).unwrap().id()).collect();
    (registry, ids)
}

fn register(c: &mut Criterion) {
    let (registry, _ids) = filled(CONNECTIONS);
    c.bench_function("register (into 10k)", |b| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            let handles: Vec<_> = (0..iters).map(|_| registry.register(Noop).unwrap()).collect();
            let took = started.elapsed();
            handles.iter().for_each(|handle| registry.force_close(handle.id()).unwrap());
            took
        })
    });
}

fn transition(c: &mut Criterion) {
    c.bench_function("transition (atomic cell, Active->Closing->Closed)", |b| {
        b.iter(|| {
            let cell = AtomicState::new();
            cell.transition(black_box(ConnState::Closing)).unwrap();
            cell.transition(black_box(ConnState::Closed)).unwrap()
        })
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let (registry, _ids) = filled(CONNECTIONS);
    c.bench_function("lifecycle (register + close + remove, in 10k)", |b| {
        b.iter(|| {
            let id = registry.register(Noop).unwrap().id();
            runtime.block_on(registry.close(id, CloseFrame::normal())).unwrap()
        })
    });
}

fn lookup(c: &mut Criterion) {
    let (registry, ids) = filled(CONNECTIONS);
    let mut next = ids.iter().cycle();
    c.bench_function("lookup (state of one in 10k)", |b| {
        b.iter(|| registry.state(*next.next().unwrap()))
    });
}

fn sweep(c: &mut Criterion) {
    let (registry, _ids) = filled(CONNECTIONS);
    c.bench_function("sweep 10k, none to remove", |b| b.iter(|| registry.sweep_once()));
    c.bench_function("sweep 10k, all failed (removes 10k)", |b| {
        b.iter_batched(
            || {
                let (registry, ids) = filled(CONNECTIONS);
                ids.iter().for_each(|id| registry.mark_failed(*id).unwrap());
                registry
            },
            |registry| {
                assert_eq!(registry.sweep_once().removed(), CONNECTIONS);
                registry
            },
            BatchSize::PerIteration,
        )
    });
    println!(
        "registry state per connection: {} bytes (sweep interval {:?})",
        Registry::state_bytes_per_connection(),
        ConnConfig::default().sweep_interval
    );
}

criterion_group!(benches, register, transition, lookup, sweep);
criterion_main!(benches);
