//! Where a latency run's time waits. With the feature `trace`, every message that arrives
//! more than [`LATE`] after its stamp is noted; built with `RUSTFLAGS="--cfg tokio_unstable"`
//! as well (tokio's task hooks are unstable: `trace::install`), the bench's runtime also notes
//! every poll longer than [`LONG_POLL`] (wall and thread CPU time) and every task that
//! waited longer than [`LONG_WAIT`] in a run queue (tokio's schedule latency), each with
//! the spawn location of its task. After each side of each load it prints a count per kind
//! and task, and writes every event as CSV into `$WS_BENCH_TRACE_DIR` when that is set
//! (`docs/learnings.md` § 40).

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Mutex;

mod csv;
#[cfg(tokio_unstable)]
mod hooks;
#[cfg(tokio_unstable)]
pub use hooks::install;

/// A poll this long (wall time) is noted, nanoseconds.
pub const LONG_POLL: u64 = 500_000;
/// A wait in a run queue this long is noted, nanoseconds.
pub const LONG_WAIT: u64 = 2_000_000;
/// A message this late is noted, nanoseconds.
pub const LATE: u64 = 8_000_000;
/// Most events kept per side and load (about 160 MB).
const MOST_EVENTS: usize = 4_000_000;

/// What an event is (only late messages without tokio's hooks).
#[cfg_attr(not(tokio_unstable), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A long poll: `nanos` of wall time, `extra` of the thread's CPU time.
    Poll,
    /// A long wait in a run queue: `nanos`, from `at` (when the task was woken).
    Wait,
    /// A late message: `nanos` late, arrived at `at`, stamped at `extra`.
    Late,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Poll => "poll",
            Kind::Wait => "wait",
            Kind::Late => "late",
        }
    }
}

/// One noted event, on the bench's clock ([`crate::latency::clock::now_nanos`]).
#[derive(Debug, Clone, Copy)]
struct Event {
    at: u64,
    kind: Kind,
    nanos: u64,
    extra: u64,
    task: &'static Location<'static>,
}

static EVENTS: Mutex<Vec<Event>> = Mutex::new(Vec::new());

/// Notes a message stamped at `sent` that arrived at `arrived`, if it is late.
#[track_caller]
pub fn late(sent: u64, arrived: u64) {
    late_event(sent, arrived, Location::caller()).into_iter().for_each(note);
}

/// The event of a message stamped at `sent` that arrived at `arrived` in `task`, if it
/// is late.
fn late_event(sent: u64, arrived: u64, task: &'static Location<'static>) -> Option<Event> {
    let nanos = arrived.saturating_sub(sent);
    let event = Event { at: arrived, kind: Kind::Late, nanos, extra: sent, task };
    (nanos > LATE).then_some(event)
}

fn note(event: Event) {
    let Ok(mut events) = EVENTS.lock() else { return };
    if events.len() < MOST_EVENTS {
        events.push(event);
    }
}

/// Prints the counts of what was noted since the last report, as `side` at `load`, writes
/// the events out (see the module's docs), and forgets them.
pub fn report(side: &str, load: f64) {
    let events = EVENTS.lock().map(|mut events| std::mem::take(&mut *events)).unwrap_or_default();
    let label = format!("{side} {:.0}%", load * 100.0);
    for (what, count) in counts(&events) {
        eprintln!("ws-bench: trace {label}: {count} x {what}");
    }
    csv::write(&label, &events);
}

/// How many events of each kind each task had.
fn counts(events: &[Event]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for event in events {
        let what = format!("{} {}", event.kind.name(), event.task);
        *counts.entry(what).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests;
