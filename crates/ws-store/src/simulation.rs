//! Simulation only (feature `simulation`): [`UnixMillis::now`](crate::UnixMillis::now) from a
//! clock the simulation sets, its simulated wall clock, so that leases, resume windows and
//! expiry follow simulated time (the soak under turmoil runs hours in minutes), and
//! [`MemoryStore`](crate::MemoryStore)'s map hashed with fixed keys, so that a run allocates
//! alike at each launch, and (with `redb`) `RedbStore`'s transactions run inline on the
//! calling task instead of tokio's blocking pool, whose threads finish on the wall clock.
//! Never enable it in a service's build.

use std::sync::OnceLock;
use std::time::Duration;

/// Reads the simulated time since the Unix epoch; `None` where there is none (the real
/// clock is read then).
pub type Clock = fn() -> Option<Duration>;

static CLOCK: OnceLock<Clock> = OnceLock::new();

/// Makes [`UnixMillis::now`](crate::UnixMillis::now) read `clock`, for the rest of the
/// process (the first call wins).
pub fn set_clock(clock: Clock) {
    let _first_wins = CLOCK.set(clock);
}

/// The simulated time since the Unix epoch, if a clock was set and it has one now.
pub(crate) fn now() -> Option<Duration> {
    CLOCK.get().and_then(|clock| clock())
}

/// The hasher of `MemoryStore`'s map: fixed keys.
pub(crate) type MapHasher =
    std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
