//! A whole benchmark run, in order: the open-file limit, raw push, reliable push (same
//! clients, same workload; or raw then reliable upload with `--upload`), then raw and
//! reliable idle memory; progress on stderr.

use crate::args::{Args, ServerKind, Workload};
use crate::idle::{self, IdleMemory};
use crate::push::{self, Throughput};
use crate::report::{MemoryReport, Report, Setup, Targets, ThroughputReport};
use crate::{limits, upload, BenchError};
use std::path::Path;

/// Runs every measurement `args` asks for; `exe` is the `ws-bench` binary, whose `serve`
/// subcommand is the memory probe's server.
pub async fn run(args: &Args, exe: &Path) -> Result<Report, BenchError> {
    let budget = limits::raise(args.clients, args.idle)?;
    if let Some(message) = limits::fallback_message(args.idle, budget) {
        eprintln!("{message}");
    }
    let setup = setup(args);
    let throughput = rounds(&setup, args.workload(), args.rounds).await?;
    let memory = memory(exe, budget.idle).await?;
    Ok(Report { setup, throughput, memory, targets: Targets::default() })
}

/// `count` rounds of raw then reliable push (or upload); the round with the median ratio,
/// with every round's ratio in run order.
async fn rounds(
    setup: &Setup,
    workload: Workload,
    count: u32,
) -> Result<ThroughputReport, BenchError> {
    let per_address = limits::server_config().conn.limits.per_address;
    eprintln!("ws-bench: ReliableServer per-address limits: {per_address}");
    let mut measured = Vec::new();
    for _ in 0..count {
        measured.push(round(setup, workload).await?);
    }
    ThroughputReport::median(measured).ok_or(BenchError::TimedOut("no round ran"))
}

/// What `args` ask to measure.
fn setup(args: &Args) -> Setup {
    let setup = Setup::new(args.clients, args.workload());
    if args.upload {
        setup.uploading()
    } else {
        setup
    }
}

/// One round: raw then reliable push, or upload with `--upload`.
async fn round(setup: &Setup, workload: Workload) -> Result<ThroughputReport, BenchError> {
    if setup.upload {
        upload(setup.clients, workload).await
    } else {
        throughput(setup.clients, workload).await
    }
}

/// Raw then reliable push, same clients and workload.
async fn throughput(clients: usize, workload: Workload) -> Result<ThroughputReport, BenchError> {
    eprintln!("ws-bench: push to {clients} clients, {workload}: raw tokio-tungstenite…");
    let raw = push::raw::run(clients, workload).await?;
    progress("raw", raw);
    eprintln!("ws-bench: push to {clients} clients, {workload}: ReliableServer/ReliableClient…");
    let reliable = push::reliable::run(clients, workload).await?;
    progress("reliable", reliable);
    Ok(ThroughputReport::new(raw, reliable))
}

/// Raw then reliable upload, same clients and workload.
async fn upload(clients: usize, workload: Workload) -> Result<ThroughputReport, BenchError> {
    eprintln!("ws-bench: upload from {clients} clients, {workload}: raw tokio-tungstenite…");
    let raw = upload::raw::run(clients, workload).await?;
    progress("raw", raw);
    eprintln!("ws-bench: upload from {clients} clients, {workload}: ReliableClient…");
    let reliable = upload::reliable::run(clients, workload).await?;
    progress("reliable", reliable);
    Ok(ThroughputReport::new(raw, reliable))
}

fn progress(name: &str, run: Throughput) {
    let rate = run.per_second().round();
    eprintln!(
        "ws-bench: {name}: {} messages in {:.3} s, {rate} msgs/s",
        run.delivered, run.seconds
    );
}

/// Raw then reliable idle memory at `connections` (none with 0).
async fn memory(exe: &Path, connections: usize) -> Result<Option<MemoryReport>, BenchError> {
    if connections == 0 {
        return Ok(None);
    }
    let raw = idle_memory(exe, ServerKind::Raw, connections).await?;
    let reliable = idle_memory(exe, ServerKind::Reliable, connections).await?;
    Ok(Some(MemoryReport::new(raw, reliable)))
}

async fn idle_memory(
    exe: &Path,
    kind: ServerKind,
    connections: usize,
) -> Result<IdleMemory, BenchError> {
    let name = idle::kind_arg(kind);
    eprintln!("ws-bench: {name} server memory with {connections} idle connections…");
    let memory = idle::measure(exe, kind, connections).await?;
    eprintln!("ws-bench: {name}: {} bytes per idle connection", memory.bytes_per_connection);
    Ok(memory)
}
