//! The events of one report as CSV: `at_ms,kind,ms,extra_ms,task`, sorted by time.

use super::Event;
use std::path::Path;

/// Writes `events` into `$WS_BENCH_TRACE_DIR`, if that is set (see [`write_into`]).
pub(super) fn write(label: &str, events: &[Event]) {
    if let Some(dir) = std::env::var_os("WS_BENCH_TRACE_DIR") {
        write_into(Path::new(&dir), label, events);
    }
}

/// Writes `events` to `dir/trace-<pid>-<label>.csv`; a failed write is said on stderr
/// (this is a diagnostic run, not a measurement).
pub(super) fn write_into(dir: &Path, label: &str, events: &[Event]) {
    let name =
        format!("trace-{}-{}.csv", std::process::id(), label.replace('%', "").replace(' ', "-"));
    let path = dir.join(name);
    if let Err(error) = std::fs::write(&path, table(events)) {
        eprintln!("ws-bench: trace: {}: {error}", path.display());
    }
}

/// The rows, sorted by time, under a header.
fn table(events: &[Event]) -> String {
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|event| event.at);
    let header = std::iter::once("at_ms,kind,ms,extra_ms,task".to_string());
    header.chain(sorted.iter().map(row)).collect::<Vec<_>>().join("\n")
}

fn row(event: &Event) -> String {
    let at = millis(event.at);
    let value = millis(event.nanos);
    let extra = millis(event.extra);
    format!("{at:.3},{},{value:.3},{extra:.3},{}", event.kind.name(), event.task)
}

fn millis(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}
