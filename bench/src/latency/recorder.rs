//! A client's side of a latency run: [`Recorder`] checks the order of what arrives and
//! notes each message's arrival in a short run of its own, which it adds to the run's one
//! pair of histograms, [`Gathered`], once the run is full (and at the end marker).
//!
//! Why one pair for every client: a histogram of 1 ns to a minute at three significant
//! figures holds 27 648 counts (216 KiB). A pair per client (100 clients: 42 MiB) missed
//! the cache at nearly every record, and recording took 7-11% of a latency run's CPU on
//! either side, which both sides paid out of the two cores the 50% load already fills
//! (`docs/learnings.md` § 45). One pair stays in the cache.
//!
//! Why a full run waits while another client adds its own: a recorder that waited for the
//! lock blocked its worker thread, and every task queued on it. Measured, that raised
//! raw's p99 at 10% load from about 0.9 ms to 1.4-1.7 ms (§ 45); so a recorder only
//! tries the lock while the run goes on, keeps its arrivals if another holds it, and
//! tries again at its next arrival. Only the end marker waits for it.

use super::clock::Stamps;
use super::latencies::Latencies;
use crate::BenchError;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// The arrivals a recorder keeps before adding them to the histograms.
pub const RUN: usize = 1024;

/// One message's stamps and the time it arrived, nanoseconds on the process clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The times its sender stamped into it.
    pub stamps: Stamps,
    /// When its client's application had it.
    pub arrived: u64,
}

/// The latencies every client of one run recorded, in one pair of histograms.
#[derive(Debug, Clone)]
pub struct Gathered(Arc<Mutex<Latencies>>);

impl Gathered {
    /// Nothing recorded yet.
    pub fn new() -> Result<Self, BenchError> {
        Ok(Gathered(Arc::new(Mutex::new(Latencies::new()?))))
    }

    /// Records every arrival of `run`, waiting for the lock.
    fn add(&self, run: &[Arrival]) -> Result<(), BenchError> {
        record_all(&mut *self.lock()?, run);
        Ok(())
    }

    /// Records every arrival of `run` unless another client holds the lock (then `false`):
    /// a worker thread never waits for it while the run goes on.
    fn try_add(&self, run: &[Arrival]) -> Result<bool, BenchError> {
        match self.0.try_lock() {
            Ok(mut latencies) => record_all(&mut latencies, run),
            Err(TryLockError::WouldBlock) => return Ok(false),
            Err(TryLockError::Poisoned(_)) => return Err(BenchError::Recorder),
        }
        Ok(true)
    }

    /// What was recorded so far, leaving nothing.
    pub fn take(&self) -> Result<Latencies, BenchError> {
        let empty = Latencies::new()?;
        Ok(std::mem::replace(&mut *self.lock()?, empty))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Latencies>, BenchError> {
        self.0.lock().map_err(|_| BenchError::Recorder)
    }
}

fn record_all(latencies: &mut Latencies, run: &[Arrival]) {
    run.iter().for_each(|arrival| latencies.record(arrival.stamps, arrival.arrived));
}

/// One client's recording: how many messages arrived in order, and the arrivals not yet in
/// the histograms.
#[derive(Debug)]
pub struct Recorder {
    gathered: Gathered,
    run: Vec<Arrival>,
    received: u64,
}

impl Recorder {
    /// Recording into `gathered`.
    pub fn new(gathered: Gathered) -> Self {
        Recorder { gathered, run: Vec::with_capacity(RUN), received: 0 }
    }

    /// How many messages arrived in order so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Notes the next message's `arrival`; the run goes into the histograms once full,
    /// unless another client is adding its own (then at a later arrival).
    pub fn keep(&mut self, arrival: Arrival) -> Result<(), BenchError> {
        self.received += 1;
        self.run.push(arrival);
        if self.run.len() < RUN || !self.gathered.try_add(&self.run)? {
            return Ok(());
        }
        self.run.clear();
        Ok(())
    }

    /// Adds what the run holds to the histograms; how many messages arrived in all.
    pub fn finish(mut self) -> Result<u64, BenchError> {
        self.flush()?;
        Ok(self.received)
    }

    fn flush(&mut self) -> Result<(), BenchError> {
        self.gathered.add(&self.run)?;
        self.run.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(sent: u64, arrived: u64) -> Arrival {
        Arrival { stamps: Stamps { sent, due: sent }, arrived }
    }

    #[test]
    fn every_client_records_into_one_pair_and_nothing_is_left_in_a_run() {
        let gathered = Gathered::new().unwrap();
        let mut first = Recorder::new(gathered.clone());
        let mut second = Recorder::new(gathered.clone());
        (0..RUN as u64 + 5).for_each(|index| first.keep(arrival(index, index + 1_000)).unwrap());
        second.keep(arrival(0, 7_000)).unwrap();
        assert_eq!(gathered.take().unwrap().len(), RUN as u64, "one full run so far");
        assert_eq!(first.received(), RUN as u64 + 5);
        assert_eq!((first.finish().unwrap(), second.finish().unwrap()), (RUN as u64 + 5, 1));
        let rest = gathered.take().unwrap();
        assert_eq!(rest.len(), 6, "both runs' remainders at the end");
        assert!(rest.from_sent.equivalent(rest.from_sent.max(), 7_000));
    }

    #[test]
    fn a_full_run_waits_in_the_recorder_while_another_client_holds_the_lock() {
        let gathered = Gathered::new().unwrap();
        let mut recorder = Recorder::new(gathered.clone());
        let held = gathered.0.lock().unwrap();
        (0..RUN as u64 + 1).for_each(|index| recorder.keep(arrival(index, index)).unwrap());
        assert_eq!(recorder.run.len(), RUN + 1, "kept, not waited for");
        drop(held);
        recorder.keep(arrival(0, 0)).unwrap();
        assert!(recorder.run.is_empty(), "added at the next arrival once the lock was free");
        assert_eq!(gathered.take().unwrap().len(), RUN as u64 + 2);
    }

    #[test]
    fn a_recorder_that_panicked_holding_the_lock_fails_the_others() {
        let gathered = Gathered::new().unwrap();
        let held = gathered.clone();
        let panicked = std::thread::spawn(move || {
            let _guard = held.0.lock();
            panic!("a recorder failed");
        });
        assert!(panicked.join().is_err());
        let recorder = Recorder::new(gathered.clone());
        assert!(matches!(recorder.finish(), Err(BenchError::Recorder)));
        assert!(matches!(gathered.take(), Err(BenchError::Recorder)));
    }
}
