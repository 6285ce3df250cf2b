//! `ws-soak`: runs the soak (see the library docs), prints the report as a table on stdout
//! (or one JSON object with `--json`), writes the JSON to `--out`, and exits 0 only when
//! every required success metric was met (1 when one was missed, 2 when the run failed).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use clap::Parser;
use std::process::ExitCode;
use ws_soak::args::Args;
use ws_soak::report::{table, Report};
use ws_soak::SoakError;

fn main() -> ExitCode {
    let args = Args::parse();
    match soak(&args) {
        Ok(report) => ExitCode::from(report.exit_code()),
        Err(error) => {
            eprintln!("ws-soak: error: {error}");
            ExitCode::from(2)
        }
    }
}

fn soak(args: &Args) -> Result<Report, SoakError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.map_err(|source| SoakError::Report { path: "runtime".into(), source })?;
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
