//! `ws-bench`: runs the benchmark (see the library docs) and prints the report as a table,
//! or one JSON object with `--json`. Exits 0 whenever it measured, targets missed or not;
//! 2 when the run failed. `ws-bench serve --kind raw|reliable` is the memory probe's server,
//! `ws-bench store-node` the store axis's storm node, `ws-bench store-push --backend B` one side
//! of its durable push alone (to profile).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use clap::Parser;
use std::process::ExitCode;
use ws_bench::args::{Args, Internal};
use ws_bench::BenchError;

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ws-bench: error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Runs the benchmark, or an internal subcommand.
fn run(args: Args) -> Result<(), BenchError> {
    runtime()?.block_on(dispatch(args))
}

/// The bench's runtime: tokio's defaults, traced in a `trace` build (`ws_bench::trace`).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    #[cfg(all(feature = "trace", tokio_unstable))]
    ws_bench::trace::install(&mut builder);
    builder.enable_all().build()
}

/// The probe's server with `serve`, a client process with `clients`, a storm node with
/// `store-node`, one durable push side with `store-push`, else the axis the flags choose.
async fn dispatch(args: Args) -> Result<(), BenchError> {
    use ws_bench::{crowd, idle, store};
    match args.internal {
        Some(Internal::Serve { kind, capacity }) => idle::serve::serve(kind, capacity).await,
        Some(Internal::Clients(clients)) => crowd::child::run(clients).await,
        Some(Internal::StoreNode(node)) => store::storm::node::serve(node).await,
        Some(Internal::StorePush { backend }) => store::push::one_side(&args, backend).await,
        None => axis(&args).await,
    }
}

/// The axis the flags choose.
async fn axis(args: &Args) -> Result<(), BenchError> {
    match args.connections {
        Some(count) => connections(args, count).await,
        None if args.fanout => fanout(args).await,
        None if args.store => store(args).await,
        None if args.latency => latency(args).await,
        None => bench(args).await,
    }
}

/// The connections axis (`--connections N`).
async fn connections(args: &Args, count: usize) -> Result<(), BenchError> {
    let exe = std::env::current_exe()?;
    let report = ws_bench::connections::run(args, &exe, count).await?;
    show(&report, ws_bench::connections::report::table, args.json)
}

/// The fan-out axis (`--fanout`).
async fn fanout(args: &Args) -> Result<(), BenchError> {
    let report = ws_bench::fanout::run(args, &std::env::current_exe()?).await?;
    show(&report, ws_bench::fanout::report::table, args.json)
}

/// The store axis (`--store`).
async fn store(args: &Args) -> Result<(), BenchError> {
    let report = ws_bench::store::run(args, &std::env::current_exe()?).await?;
    show(&report, ws_bench::store::report::table, args.json)
}

/// The latency axis (`--latency`).
async fn latency(args: &Args) -> Result<(), BenchError> {
    let report = ws_bench::latency::run(args).await?;
    show(&report, ws_bench::latency::report::table, args.json)
}

/// Push (or upload) and idle memory.
async fn bench(args: &Args) -> Result<(), BenchError> {
    let report = ws_bench::run::run(args, &std::env::current_exe()?).await?;
    show(&report, ws_bench::report::table, args.json)
}

/// Prints `report` as one JSON object, or as its table.
fn show<R: serde::Serialize>(
    report: &R,
    table: fn(&R) -> String,
    json: bool,
) -> Result<(), BenchError> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        print!("{}", table(report));
    }
    Ok(())
}
