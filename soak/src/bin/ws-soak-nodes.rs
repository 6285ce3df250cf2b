//! `ws-soak-nodes`: `run` is the harness of the nodes soak (prints the report, writes it
//! to `--out`, exits 0 when every required figure is 0, 1 when one is not, 2 when the run
//! failed); `node` is one server node, started by the harness.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use clap::Parser;
use std::process::ExitCode;
use ws_soak::nodes::args::{Cli, Command, RunArgs};
use ws_soak::nodes::{node, run};

fn main() -> ExitCode {
    match start(Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("ws-soak-nodes: error: {error}");
            ExitCode::from(2)
        }
    }
}

fn start(cli: Cli) -> Result<u8, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.map_err(|error| error.to_string())?;
    match cli.command {
        Command::Node(args) => runtime.block_on(node::serve(&args)).map(|()| 0),
        Command::Run(args) => runtime.block_on(harness(&args)),
    }
}

/// Runs the harness, prints and writes the report; the exit code.
async fn harness(args: &RunArgs) -> Result<u8, String> {
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    eprintln!("ws-soak-nodes: seed {seed}");
    let report = run::run(args, seed).await?;
    let json = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
    write(&args.out, &json)?;
    let shown = if args.json { json } else { report.table() };
    println!("{shown}");
    Ok(if report.passed { 0 } else { 1 })
}

fn write(path: &std::path::Path, json: &str) -> Result<(), String> {
    let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
    parent.map_or(Ok(()), std::fs::create_dir_all).map_err(|error| error.to_string())?;
    std::fs::write(path, json).map_err(|error| format!("writing {}: {error}", path.display()))
}
