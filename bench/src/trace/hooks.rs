//! tokio's task hooks (unstable: a build with `RUSTFLAGS="--cfg tokio_unstable"`): long
//! polls and long waits in a run queue, noted with their task's spawn location.

use super::{note, Event, Kind, LONG_POLL, LONG_WAIT};
use crate::latency::clock::now_nanos;
use std::cell::Cell;
use std::time::Duration;
use tokio::runtime::{Builder, TaskMeta};

/// When the running poll of this thread started.
#[derive(Debug, Clone, Copy)]
struct Started {
    wall: u64,
    cpu: u64,
}

thread_local! {
    static STARTED: Cell<Started> = const { Cell::new(Started { wall: 0, cpu: 0 }) };
}

/// Installs the hooks on `builder`: polls longer than [`LONG_POLL`], waits longer than
/// [`LONG_WAIT`].
pub fn install(builder: &mut Builder) -> &mut Builder {
    builder.track_task_schedule_latency().on_before_task_poll(before).on_after_task_poll(after)
}

fn before(meta: &TaskMeta<'_>) {
    let wall = now_nanos();
    let waited = meta.schedule_latency().map_or(0, nanos);
    if waited > LONG_WAIT {
        let at = wall.saturating_sub(waited);
        note(Event { at, kind: Kind::Wait, nanos: waited, extra: 0, task: meta.spawned_at() });
    }
    STARTED.set(Started { wall, cpu: thread_cpu() });
}

fn after(meta: &TaskMeta<'_>) {
    let started = STARTED.get();
    let wall = now_nanos().saturating_sub(started.wall);
    if wall > LONG_POLL {
        let cpu = thread_cpu().saturating_sub(started.cpu);
        let task = meta.spawned_at();
        note(Event { at: started.wall, kind: Kind::Poll, nanos: wall, extra: cpu, task });
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn thread_cpu() -> u64 {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let seconds = u64::try_from(time.tv_sec).unwrap_or(0);
    seconds.saturating_mul(1_000_000_000).saturating_add(u64::try_from(time.tv_nsec).unwrap_or(0))
}
