//! `ws-soak`: runs the soak (see the library docs), prints the report as a table on stdout
//! (or one JSON object with `--json`), writes the JSON to `--out`, and exits 0 only when
//! every required success metric was met (1 when one was missed, 2 when the run failed).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod simulated;

use clap::Parser;
use std::process::ExitCode;
use ws_soak::args::Args;
use ws_soak::harness::probe;
use ws_soak::report::{table, Report};
use ws_soak::SoakError;

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("ws-soak: error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Runs the soak (or, with `--serve-idle`, the memory probe's server); the exit code.
fn run(args: &Args) -> Result<u8, SoakError> {
    match args.simulate {
        Some(duration) => simulated::run(args, duration),
        None => real(args),
    }
}

/// The real soak, on loopback and the wall clock.
fn real(args: &Args) -> Result<u8, SoakError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.map_err(|source| SoakError::Probe(source.to_string()))?;
    if args.serve_idle {
        return runtime.block_on(probe::serve_idle()).map(|()| 0);
    }
    soak(&runtime, args).map(|report| report.exit_code())
}

fn soak(runtime: &tokio::runtime::Runtime, args: &Args) -> Result<Report, SoakError> {
    let report = runtime.block_on(ws_soak::harness::run(args))?;
    ws_soak::report::write(&report, &args.out)?;
    print(&report, args);
    Ok(report)
}

fn print(report: &Report, args: &Args) {
    match serde_json::to_string(report) {
        Ok(json) if args.json => println!("{json}"),
        _ => print!("{}", table(report)),
    }
    eprintln!("ws-soak: report written to {}", args.out.display());
}
