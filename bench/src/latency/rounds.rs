//! One load in rounds: raw then reliable, alternating `--rounds` times, each side's messages
//! pooled over its rounds. A machine's episode (another process, the kernel) lands in one
//! round of one side; alternating spreads such episodes over both sides, and pooling makes
//! the p99 the 99th percentile of every message of the load, not of one round's.

use super::record::{Percentiles, Recorded};
use crate::workers::WorkerLoad;
use crate::BenchError;
use serde::Serialize;

/// One round's p99 per side, microseconds, in run order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoundP99 {
    /// Raw's p99 in this round.
    pub raw_p99_us: f64,
    /// Reliable's p99 in this round.
    pub reliable_p99_us: f64,
}

impl RoundP99 {
    /// `raw / reliable`, whole microseconds.
    pub fn pair(&self) -> String {
        format!("{:.0} / {:.0}", self.raw_p99_us, self.reliable_p99_us)
    }
}

/// Cores the whole process kept busy while each side ran (CPU seconds over wall seconds,
/// every round's together): the work a load costs, steadier than its tail.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Cores {
    /// While raw ran.
    pub raw: f64,
    /// While reliable ran.
    pub reliable: f64,
}

/// Each side's figures with every message counted from the time the schedule owed it,
/// every round's messages pooled.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct FromDue {
    /// Raw's.
    pub raw: Percentiles,
    /// Reliable's.
    pub reliable: Percentiles,
}

/// What tokio's workers counted while each side ran, every round's together: workers busy
/// beyond the process's cores had tasks but no CPU; workers that park often ran out of
/// tasks.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct WorkerLoads {
    /// While raw ran.
    pub raw: WorkerLoad,
    /// While reliable ran.
    pub reliable: WorkerLoad,
}

/// One round: raw, then reliable.
#[derive(Debug, Clone)]
pub struct Round {
    /// Raw tokio-tungstenite.
    pub raw: Recorded,
    /// ReliableServer → ReliableClient.
    pub reliable: Recorded,
}

/// The rounds of one load so far: each side pooled, and each round's p99s.
#[derive(Debug, Clone)]
pub struct Pooled {
    raw: Recorded,
    reliable: Recorded,
    rounds: Vec<RoundP99>,
}

/// What the rounds of one load measured: each side pooled, and each round's p99s.
#[derive(Debug, Clone, PartialEq)]
pub struct Sides {
    /// Raw's messages of every round.
    pub raw: Percentiles,
    /// Reliable's messages of every round.
    pub reliable: Percentiles,
    /// Each round's p99s, in run order.
    pub rounds: Vec<RoundP99>,
    /// The cores each side kept busy.
    pub cores: Cores,
    /// The figures from each message's due time.
    pub from_due: FromDue,
    /// What the runtime's workers counted while each side ran.
    pub workers: WorkerLoads,
}

impl Pooled {
    /// No round yet.
    pub fn new() -> Result<Self, BenchError> {
        let reliable = Recorded::empty()?;
        Ok(Pooled { raw: Recorded::empty()?, reliable, rounds: Vec::new() })
    }

    /// Adds `round`: its p99s to the list, its messages to each side's pool.
    pub fn add(&mut self, round: &Round) -> Result<(), BenchError> {
        let raw_p99_us = round.raw.percentiles().p99_us;
        let reliable_p99_us = round.reliable.percentiles().p99_us;
        self.rounds.push(RoundP99 { raw_p99_us, reliable_p99_us });
        self.raw.pool(&round.raw)?;
        self.reliable.pool(&round.reliable)
    }

    /// The figures of every round added.
    pub fn sides(self) -> Sides {
        let cores = Cores { raw: self.raw.cores(), reliable: self.reliable.cores() };
        let from_due = FromDue { raw: self.raw.from_due(), reliable: self.reliable.from_due() };
        let workers = WorkerLoads { raw: self.raw.workers(), reliable: self.reliable.workers() };
        let reliable = self.reliable.percentiles();
        let raw = self.raw.percentiles();
        Sides { raw, reliable, rounds: self.rounds, cores, from_due, workers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::clock::Stamps;
    use crate::latency::latencies::Latencies;

    /// `count` messages of `micros` each from their send, sent 100 us after their due time,
    /// over one second.
    fn recorded(micros: u64, count: u64) -> Recorded {
        let mut latencies = Latencies::new().unwrap();
        let stamps = Stamps { sent: 100_000, due: 0 };
        (0..count).for_each(|_| latencies.record(stamps, 100_000 + micros * 1000));
        Recorded::new(latencies, 1.0)
    }

    #[test]
    fn the_sides_pool_every_rounds_messages_and_keep_each_rounds_p99() {
        let mut pooled = Pooled::new().unwrap();
        let calm = Round { raw: recorded(1_000, 990), reliable: recorded(1_500, 990) };
        let episode = Round { raw: recorded(1_000, 990), reliable: recorded(20_000, 990) };
        pooled.add(&calm).unwrap();
        pooled.add(&calm).unwrap();
        pooled.add(&episode).unwrap();
        let sides = pooled.sides();
        assert_eq!(sides.rounds.len(), 3);
        assert!((sides.rounds[2].reliable_p99_us - 20_000.0).abs() < 20.0, "{:?}", sides.rounds);
        assert!((sides.rounds[0].reliable_p99_us - 1_500.0).abs() < 2.0, "{:?}", sides.rounds);
        assert_eq!(sides.reliable.delivered, 2_970);
        assert_eq!(sides.raw.achieved_msgs_per_sec, 990.0, "2 970 messages over 3 s");
        assert!(sides.reliable.p99_us > 19_000.0, "a third of the messages were late");
        assert!((sides.reliable.p50_us - 1_500.0).abs() < 2.0, "{:?}", sides.reliable);
        assert_eq!(sides.cores, Cores::default(), "no CPU time measured");
        assert!((sides.from_due.reliable.p50_us - 1_600.0).abs() < 2.0, "{:?}", sides.from_due);
        assert_eq!(sides.from_due.raw.delivered, 2_970);
    }

    #[test]
    fn cores_are_every_rounds_cpu_seconds_over_its_wall_seconds() {
        let started = crate::push::Start::now();
        let spin = std::time::Instant::now();
        while crate::cpu::used() <= started.cpu && spin.elapsed().as_secs() < 30 {}
        let busy = Recorded::since(Latencies::new().unwrap(), started);
        let mut pooled = Pooled::new().unwrap();
        pooled.add(&Round { raw: busy.clone(), reliable: busy }).unwrap();
        let sides = pooled.sides();
        let cores = sides.cores;
        assert!(cores.raw > 0.0 && cores.raw == cores.reliable, "{cores:?}");
        assert_eq!(sides.workers, WorkerLoads::default(), "no runtime here: nothing counted");
    }

    #[test]
    fn no_round_is_no_message() {
        let sides = Pooled::new().unwrap().sides();
        assert_eq!(sides.raw.delivered, 0);
        assert!(sides.rounds.is_empty());
    }
}
