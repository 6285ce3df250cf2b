//! `ws-attack`: runs the attacks (see the library docs), prints the report as a table on
//! stdout (or one JSON object with `--json`), and exits 0 only when every check passed (1
//! when one was missed, 2 when the run failed). `ws-attack serve` is the server child.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use clap::Parser;
use std::process::ExitCode;
use ws_attack::args::{Args, Internal};
use ws_attack::report::{table, Report};

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("ws-attack: error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<u8, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.map_err(|error| error.to_string())?;
    if let Some(Internal::Serve { nofile }) = args.command {
        return runtime.block_on(ws_attack::serve::serve(nofile)).map(|()| 0);
    }
    let report = runtime.block_on(ws_attack::run::run(args.length()))?;
    print(&report, args.json);
    Ok(report.exit_code())
}

fn print(report: &Report, json: bool) {
    match serde_json::to_string(report) {
        Ok(text) if json => println!("{text}"),
        _ => print!("{}", table(report)),
    }
}
