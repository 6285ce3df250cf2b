//! The store axis (`--store`): durable push throughput per session store beside raw, in
//! one run, then resume storms.
//!
//! 1. The push axis's workload (`--clients`, `--messages` or `--duration`, 64-byte
//!    messages) over raw tokio-tungstenite ([`crate::push::raw`]: `feed`, a `flush` every
//!    256), then over a ReliableServer without a store, with `MemoryStore`, with
//!    `RedbStore` (a fresh file in a temporary directory; default `Fsync`, then
//!    `NoFsync(OsCache)`) and with `RedisStore` on a `redis-server` the benchmark started
//!    on a loopback port ([`redis`]), each side with the same flush every 256 ([`push`]):
//!    with a store each flush is a durable send.
//! 2. The resume storms ([`storm`]), redb then Redis: `--storm-clients` clients (default
//!    1000) on a node killed with SIGKILL and replaced on the same address and store.
//!
//! Targets, reported as PASS or MISS ([`report`]): `MemoryStore` at least 0.9x the push
//! without a store, redb and Redis each at least 1 M durable messages per second, every
//! storm with 0 sessions lost and p99 below 2 s.

pub mod backend;
pub mod push;
pub mod redis;
pub mod report;
pub mod storm;

use crate::args::Args;
use crate::push::Throughput;
use crate::{limits, BenchError};
use backend::{Backend, Places};
use report::{Measured, StoreReport, StoreSetup, StoreSide};
use std::path::Path;
use storm::node::NodeStore;
use storm::{Storm, StormReport};

/// Runs the store axis; `exe` is the `ws-bench` binary (the storm's nodes).
pub async fn run(args: &Args, exe: &Path) -> Result<StoreReport, BenchError> {
    limits::raise(args.clients.max(args.storm_clients), 0)?;
    let mut places = Places::new().await?;
    let raw = raw(args).await?;
    let stores = sides(args, &mut places, raw.per_second()).await?;
    let setup = setup(args, &places);
    let storms = storms(args, exe, &mut places).await?;
    Ok(StoreReport::new(setup, Measured { raw, stores, storms }))
}

/// The raw push (after printing the reliable servers' admission limits).
async fn raw(args: &Args) -> Result<Throughput, BenchError> {
    let admission = limits::admission(&push::config(None));
    eprintln!("ws-bench: store axis; ReliableServer admission: {admission}");
    let workload = args.workload();
    eprintln!("ws-bench: push to {} clients, {workload}: raw tokio-tungstenite…", args.clients);
    let raw = crate::push::raw::run(args.clients, workload).await?;
    eprintln!("ws-bench: raw: {:.0} msgs/s", raw.per_second());
    Ok(raw)
}

/// Every reliable side, in [`Backend::ALL`]'s order, beside raw's `raw_rate`.
async fn sides(
    args: &Args,
    places: &mut Places,
    raw_rate: f64,
) -> Result<Vec<StoreSide>, BenchError> {
    let mut sides = Vec::with_capacity(Backend::ALL.len());
    for backend in Backend::ALL {
        let store = places.open(backend).await?;
        let durable = push::run(args.clients, args.workload(), store).await?;
        eprintln!("ws-bench: {}: {:.0} durable msgs/s", backend.label(), durable.per_second());
        sides.push(StoreSide::new(backend, durable, raw_rate));
    }
    Ok(sides)
}

fn setup(args: &Args, places: &Places) -> StoreSetup {
    let workload = crate::report::Setup::new(args.clients, args.workload());
    let flags = redis::FLAGS.map(|flag| if flag.is_empty() { "\"\"" } else { flag });
    let redis_server = format!("on {}, {}", places.redis_addr(), flags.join(" "));
    StoreSetup { workload, redis_server, load_average: load_average() }
}

/// The first three fields of `/proc/loadavg`.
pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The storms, redb then Redis (none with `--storm-clients 0`).
async fn storms(
    args: &Args,
    exe: &Path,
    places: &mut Places,
) -> Result<Vec<StormReport>, BenchError> {
    let mut reports = Vec::new();
    let wanted = (args.storm_clients > 0).then_some([NodeStore::Redb, NodeStore::Redis]);
    for store in wanted.into_iter().flatten() {
        let at = places.node_store(store);
        reports.push(Storm { exe, store, at, clients: args.storm_clients }.run().await?);
    }
    Ok(reports)
}
