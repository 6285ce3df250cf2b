//! What tokio's worker threads did: their busy time and how often they parked, summed over
//! the current runtime's workers (tokio's stable runtime metrics). Beside the process's CPU
//! time ([`crate::cpu`]) it tells a worker that ran out of tasks (it parks, waiting on the
//! network or a timer) from one that had tasks and no core (busy by tokio's count, not by
//! the kernel's).

use serde::Serialize;
use std::time::Duration;

/// The workers' counters at one moment, or what they counted between two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Workers {
    /// Time the workers spent running tasks, all workers together.
    pub busy: Duration,
    /// Times a worker parked: found no task to run and waited for one.
    pub parks: u64,
}

impl Workers {
    /// The current runtime's workers' counters so far (zero outside a runtime).
    pub fn now() -> Self {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return Workers::default();
        };
        let metrics = handle.metrics();
        let worker = |index| Workers::of_worker(&metrics, index);
        (0..metrics.num_workers()).map(worker).fold(Workers::default(), Workers::plus)
    }

    fn of_worker(metrics: &tokio::runtime::RuntimeMetrics, index: usize) -> Self {
        let busy = metrics.worker_total_busy_duration(index);
        Workers { busy, parks: metrics.worker_park_count(index) }
    }

    /// Both counts added.
    pub fn plus(self, other: Workers) -> Self {
        Workers { busy: self.busy + other.busy, parks: self.parks + other.parks }
    }

    /// What was counted since `earlier` (these counters only grow).
    pub fn since(self, earlier: Workers) -> Self {
        let busy = self.busy.saturating_sub(earlier.busy);
        Workers { busy, parks: self.parks.saturating_sub(earlier.parks) }
    }

    /// These counts as rates over `wall_seconds` (zeros for no wall time).
    pub fn per_second(&self, wall_seconds: f64) -> WorkerLoad {
        if wall_seconds <= 0.0 {
            return WorkerLoad::default();
        }
        let busy_cores = self.busy.as_secs_f64() / wall_seconds;
        WorkerLoad { busy_cores, parks_per_sec: self.parks as f64 / wall_seconds }
    }
}

/// The workers' counts over a run, as rates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct WorkerLoad {
    /// Workers busy running tasks, on average (busy seconds over wall seconds).
    pub busy_cores: f64,
    /// Times a worker parked, per second.
    pub parks_per_sec: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_runtime_nothing_is_counted() {
        assert_eq!(Workers::now(), Workers::default());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_workers_count_busy_time_and_parks() {
        let before = Workers::now();
        let spin = std::time::Instant::now();
        let mut worked = Workers::default();
        while (worked.busy.is_zero() || worked.parks == 0) && spin.elapsed().as_secs() < 30 {
            tokio::spawn(async {}).await.unwrap();
            worked = Workers::now().since(before);
        }
        assert!(worked.busy > Duration::ZERO && worked.parks > 0, "{worked:?}");
    }

    #[test]
    fn counts_add_subtract_and_become_rates() {
        let earlier = Workers { busy: Duration::from_secs(1), parks: 10 };
        let later = earlier.plus(Workers { busy: Duration::from_secs(3), parks: 50 });
        let counted = later.since(earlier);
        assert_eq!(counted, Workers { busy: Duration::from_secs(3), parks: 50 });
        assert_eq!(earlier.since(later), Workers::default(), "never below zero");
        let rates = counted.per_second(2.0);
        assert_eq!(rates, WorkerLoad { busy_cores: 1.5, parks_per_sec: 25.0 });
        assert_eq!(counted.per_second(0.0), WorkerLoad::default());
    }
}
