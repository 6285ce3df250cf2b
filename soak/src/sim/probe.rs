//! The timer probe: on every host, timers set at seeded random intervals (1 ms to 5 s),
//! each checked, when it fires, against when it was due. The simulated clock must fire
//! every one within one step of the simulation.

use super::world::World;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Separates each host's probe seed from the run's seed.
const PROBE_SEED: u64 = 0x7133_E125;

/// Sets timers one after the other, forever, recording how late each fired.
pub async fn timers(world: Arc<World>, seed: u64, host: u64) {
    let mut rng = fastrand::Rng::with_seed(seed ^ PROBE_SEED ^ host);
    loop {
        let due = Instant::now() + Duration::from_millis(rng.u64(1..=5_000));
        tokio::time::sleep_until(due).await;
        let late = Instant::now().saturating_duration_since(due);
        world.timers.fired(u64::try_from(late.as_micros()).unwrap_or(u64::MAX));
    }
}
