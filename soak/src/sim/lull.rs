//! The quiet instants: at the end of every simulated hour the driver calms the weather
//! (every fault ended, the server started if it was down), stops the sending and the
//! server's closes, waits until every client received what was sent to it, is connected,
//! and the server holds one connection per client, lets [`QUIET_FOR`] pass, and reads the
//! live heap; when the server restarts during the run, it then crashes the server's host
//! and reads the heap again without it, and starts it again; then the weather goes on.
//!
//! What the heap check fits is the heap that outlives the server's restarts (every client,
//! the store, the harness), read with nothing in flight: at an arbitrary minute the heap
//! swings by about a megabyte with what is in flight, and the server's own share at a
//! quiet instant by about as much with what it did since its last restart (2.9 to 5.1 MB);
//! without the server the quiet instants of 24 hours lie within about 200 KB
//! (docs/learnings.md § 37). A leak in the server's own process cannot accumulate across
//! restarts 5 minutes apart; with restarts off, the heap with the server is the one fitted.

use super::driver::{until, Plan};
use super::hours::Sample;
use super::restarts::ask;
use super::world::{Power, World};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long the quiet lasts before the heap is read: the clients' last acks, the
/// heartbeats' replies and the closes of resumed links have landed by then.
pub const QUIET_FOR: Duration = Duration::from_secs(30);
/// How long the clients have to settle and connect: a partitioned client backs off for
/// up to a minute before it resumes, a client whose session expired opens a new one, and
/// the server drops the connections of the gone after its 60 s idle timeout.
pub const QUIET_LIMIT: Duration = Duration::from_secs(780);
/// How long the server's host stays crashed before the heap is read without it (turmoil
/// crashes it at the next step, 10 ms on).
pub const CRASHED_FOR: Duration = Duration::from_secs(1);
/// The most simulated time one quiet instant takes.
pub const LONGEST: Duration = QUIET_LIMIT.saturating_add(QUIET_FOR).saturating_add(CRASHED_FOR);

/// A quiet instant's samples, and whether the quiet came within [`QUIET_LIMIT`].
#[derive(Debug, Clone, Copy)]
pub struct Lull {
    /// The live heap and the clients connected at the quiet instant.
    pub up: Sample,
    /// The same with the server's host crashed (`None` when the server never restarts).
    pub down: Option<Sample>,
    /// Whether every client settled and connected and the server held one connection per
    /// client before the limit.
    pub reached: bool,
}

impl Lull {
    /// The sample the heap check fits: without the server where there is one.
    pub fn checked(&self) -> Sample {
        self.down.unwrap_or(self.up)
    }

    /// The server's share of the live heap, where it was read without the server.
    pub fn server_bytes(&self) -> Option<i64> {
        let up = i64::try_from(self.up.live_bytes).unwrap_or(i64::MAX);
        self.down.map(|down| up - i64::try_from(down.live_bytes).unwrap_or(i64::MAX))
    }
}

/// Every quiet instant of a run: the samples the heap check fits, the server's share at
/// each (where it was read apart), and those that did not come.
#[derive(Debug, Clone, Default)]
pub struct QuietInstants {
    /// What the heap check fits: without the server where it was read without.
    pub samples: Vec<Sample>,
    /// The server's share of the live heap at each.
    pub server: Vec<i64>,
    /// Those that did not come within [`QUIET_LIMIT`].
    pub missed: u64,
}

impl QuietInstants {
    /// Room for `count` (allocated at the start, outside the heap measured).
    pub fn with_capacity(count: usize) -> QuietInstants {
        let server = Vec::with_capacity(count);
        QuietInstants { samples: Vec::with_capacity(count), server, missed: 0 }
    }

    /// One more quiet instant.
    pub fn push(&mut self, lull: Lull) {
        self.samples.push(lull.checked());
        self.server.extend(lull.server_bytes());
        self.missed += u64::from(!lull.reached);
    }
}

/// The quiet instant after the hour whose last second of sending is `second`, sampled as
/// of that second.
pub async fn lull(world: &World, second: u64, plan: &Plan) -> Lull {
    world.sending.store(false, Ordering::Relaxed);
    let reached = until(QUIET_LIMIT, || quiet(world)).await;
    tokio::time::sleep(QUIET_FOR).await;
    let up = Sample::take(second, world, &plan.heap);
    let down = without_server(world, second, plan).await;
    world.sending.store(true, Ordering::Relaxed);
    Lull { up, down, reached }
}

/// When the server restarts during the run: the sample with its host crashed, which is
/// then started again (its clients resume from the store).
async fn without_server(world: &World, second: u64, plan: &Plan) -> Option<Sample> {
    if plan.restart_every.is_zero() {
        return None;
    }
    ask(world, Power::Crash);
    tokio::time::sleep(CRASHED_FOR).await;
    let down = Sample::take(second, world, &plan.heap);
    ask(world, Power::Start);
    Some(down)
}

/// Whether every client settled and is connected, and the server holds one connection
/// per client.
pub fn quiet(world: &World) -> bool {
    let all = world.clients.len();
    let registry = world.server_view().map(|server| server.registry.len());
    world.settled() && world.connected() == all && registry == Some(all)
}
