//! Server restarts: every `every` of simulated time (from [`super::SimOptions`]) the driver
//! crashes the server host, its runtime dropped where it stands (every task and socket, as
//! a crashed process loses them), and starts its software again [`DOWN`] later, a new
//! server on the same store. turmoil crashes and starts a host between two steps
//! (`Sim::crash`, `Sim::bounce`), so the driver asks through [`World::power`] and
//! `sim::run` does it.

use super::world::{Power, World};
use crate::harness::shared::lock;
use std::time::Duration;

/// How long the server host stays down.
pub const DOWN: Duration = Duration::from_secs(5);

/// The restart schedule, as the driver follows it second by second.
#[derive(Debug, Clone, Copy)]
pub struct Restarts {
    /// Seconds between two crashes (0: none).
    every: u64,
    /// The second the server starts again, while it is down.
    down_until: Option<u64>,
}

impl Restarts {
    /// A crash every `every` (none for zero).
    pub fn new(every: Duration) -> Restarts {
        Restarts { every: every.as_secs(), down_until: None }
    }

    /// Second `second` of the run: starts the server when its down time is over, crashes
    /// it when a crash is due.
    pub fn step(&mut self, second: u64, world: &World) {
        if self.down_until.is_some_and(|until| second >= until) {
            return self.end(world);
        }
        let due = self.every > 0 && second > 0 && second % self.every == 0;
        if due && self.down_until.is_none() {
            ask(world, Power::Crash);
            self.down_until = Some(second + DOWN.as_secs());
        }
    }

    /// Starts the server if it is down.
    pub fn end(&mut self, world: &World) {
        if self.down_until.take().is_some() {
            ask(world, Power::Start);
        }
    }
}

/// Leaves `power` for `sim::run` to do after this step.
pub fn ask(world: &World, power: Power) {
    *lock(&world.power) = Some(power);
}
