//! `ws-soak --simulate DURATION`: the simulated soak (the library's `sim`), with the
//! counting allocator installed here, in the binary, so that no library crate needs
//! `unsafe`; its report printed and written like the real soak's.

use std::time::Duration;
use ws_soak::args::Args;
#[cfg(feature = "simulation")]
use ws_soak::sim::{SimOptions, QUIET_EVERY, RESTART_EVERY};
use ws_soak::SoakError;

#[cfg(feature = "simulation")]
#[global_allocator]
static COUNTING: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// Simulates `duration`; the exit code (0 when every check passed).
#[cfg(feature = "simulation")]
pub fn run(args: &Args, duration: Duration) -> Result<u8, SoakError> {
    let options = options(args, duration);
    eprintln!("ws-soak: simulating {duration:?}, seed {}", options.seed);
    eprintln!("ws-soak: reproduce with: {}", ws_soak::sim::reproduce(&options));
    let report = ws_soak::sim::run(&options)?;
    ws_soak::report::write(&report, &args.out)?;
    print(&report, args);
    Ok(u8::from(!report.passed))
}

/// What `args` ask to simulate for `duration` (a random seed when none was given).
#[cfg(feature = "simulation")]
fn options(args: &Args, duration: Duration) -> SimOptions {
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    let restart_every = args.restart_every.unwrap_or(RESTART_EVERY);
    let leak_per_minute = args.plant_leak.unwrap_or(0);
    let store = args.store;
    let quiet_every = QUIET_EVERY;
    SimOptions { duration, seed, heap, restart_every, store, leak_per_minute, quiet_every }
}

/// Without the `simulation` feature there is nothing to simulate with.
#[cfg(not(feature = "simulation"))]
pub fn run(_args: &Args, _duration: Duration) -> Result<u8, SoakError> {
    let hint = "ws-soak was built without the `simulation` feature: use `cargo xtask reliability --simulate`";
    Err(SoakError::Simulation(hint.into()))
}

/// The live heap and the allocations so far, as the counting allocator saw them.
#[cfg(feature = "simulation")]
fn heap() -> ws_soak::sim::hours::Heap {
    let stats = COUNTING.stats();
    // a realloc's growth is counted as allocated, its shrinking as deallocated
    let live = stats.bytes_allocated.saturating_sub(stats.bytes_deallocated);
    let live_bytes = live as u64;
    ws_soak::sim::hours::Heap { live_bytes, allocations: stats.allocations as u64 }
}

#[cfg(feature = "simulation")]
fn print(report: &ws_soak::sim::report::SimReport, args: &Args) {
    match serde_json::to_string(report) {
        Ok(json) if args.json => println!("{json}"),
        _ => print!("{}", ws_soak::sim::report::table(report)),
    }
    eprintln!("ws-soak: report written to {}", args.out.display());
}
