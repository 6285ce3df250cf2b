//! What a client process records in a fan-out phase: each client checks that the indices
//! it receives only grow (a refused broadcast leaves a gap, never a repeat or a reversal),
//! records each message's one-way latency (its stamp against `CLOCK_MONOTONIC`, see
//! [`crate::mono`]) in one of a few shared histograms, and reports its count at the end
//! marker. When every client of the process has ended the phase, [`collect`] prints one
//! `phase <json>` line ([`PhaseLine`]): the counts and the histogram as buckets, which the
//! parent merges across processes.

use crate::latency::clock;
use crate::payload::{self, END};
use crate::BenchError;
use futures::{Stream, StreamExt};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use ws_reliability::Message;

/// Histograms the clients of a process share (client `i` records into `i % SHARDS`).
pub const SHARDS: usize = 16;

/// What each client reports at an end marker, or the error that stopped it.
pub type Ended = Result<Tally, BenchError>;

/// One client's count in the current phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Messages received in the phase.
    pub delivered: u64,
    /// `CLOCK_MONOTONIC` nanoseconds of the last arrival.
    pub last_arrival: u64,
    /// The index of the last message.
    last_index: Option<u64>,
}

impl Tally {
    /// Counts message `index`, arrived at `arrived`: it must follow the last one.
    pub fn next(&mut self, index: u64, arrived: u64) -> Result<(), BenchError> {
        let expected = self.last_index.map_or(0, |last| last + 1);
        if self.last_index.is_some_and(|last| index <= last) {
            return Err(BenchError::OutOfOrder { expected, got: index });
        }
        self.last_index = Some(index);
        self.delivered += 1;
        self.last_arrival = arrived;
        Ok(())
    }
}

/// A latency bucket: the highest value it holds, nanoseconds, and how many fell in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Nanoseconds.
    pub nanos: u64,
    /// Messages.
    pub count: u64,
}

/// One phase as one process (or, merged, every process) saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PhaseLine {
    /// Clients that reached the end marker.
    pub clients: usize,
    /// Messages they received.
    pub delivered: u64,
    /// The last arrival of any of them, `CLOCK_MONOTONIC` nanoseconds.
    pub last_arrival_nanos: u64,
    /// The latencies.
    pub buckets: Vec<Bucket>,
}

impl PhaseLine {
    /// Adds one client's tally.
    pub fn add(&mut self, tally: Tally) {
        self.clients += 1;
        self.delivered += tally.delivered;
        self.last_arrival_nanos = self.last_arrival_nanos.max(tally.last_arrival);
    }

    /// Adds one client's tally; the phase, taken, once `clients` have ended it.
    pub fn ended(&mut self, tally: Tally, clients: usize) -> Option<PhaseLine> {
        self.add(tally);
        (self.clients == clients).then(|| std::mem::take(self))
    }

    /// Adds another process's line.
    pub fn merge(&mut self, other: PhaseLine) {
        self.clients += other.clients;
        self.delivered += other.delivered;
        self.last_arrival_nanos = self.last_arrival_nanos.max(other.last_arrival_nanos);
        self.buckets.extend(other.buckets);
    }

    /// The latencies as a histogram of nanoseconds.
    pub fn histogram(&self) -> Result<Histogram<u64>, BenchError> {
        let mut histogram = crate::latency::record::histogram()?;
        let buckets = self.buckets.iter();
        buckets.for_each(|bucket| histogram.saturating_record_n(bucket.nanos, bucket.count));
        Ok(histogram)
    }
}

/// The buckets of `histogram`.
pub fn buckets(histogram: &Histogram<u64>) -> Vec<Bucket> {
    let recorded = histogram.iter_recorded();
    let bucket = |value: hdrhistogram::iterators::IterationValue<u64>| Bucket {
        nanos: value.value_iterated_to(),
        count: value.count_at_value(),
    };
    recorded.map(bucket).collect()
}

/// The histograms of a process's clients and where they report their ends.
#[derive(Debug)]
pub struct Recorder {
    shards: Vec<Mutex<Histogram<u64>>>,
    ends: UnboundedSender<Ended>,
}

/// A recorder and the receiver of its clients' ends.
pub struct Recording {
    /// Shared by the clients.
    pub recorder: Arc<Recorder>,
    /// Read by [`collect`].
    pub ends: UnboundedReceiver<Ended>,
}

impl Recorder {
    /// A recorder of [`SHARDS`] empty histograms.
    pub fn start() -> Result<Recording, BenchError> {
        let shards = (0..SHARDS).map(|_| crate::latency::record::histogram().map(Mutex::new));
        let shards = shards.collect::<Result<_, _>>()?;
        let (ends, receiver) = unbounded_channel();
        Ok(Recording { recorder: Arc::new(Recorder { shards, ends }), ends: receiver })
    }

    /// Records `message` for `client`: `Some` tally at the end marker.
    fn note(
        &self,
        client: usize,
        tally: &mut Tally,
        message: &Message,
    ) -> Result<Option<Tally>, BenchError> {
        let index = payload::index(message)?;
        if index == END {
            return Ok(Some(std::mem::take(tally)));
        }
        tally.next(index, crate::mono::now_nanos())?;
        self.record(client, tally.last_arrival.saturating_sub(clock::stamp(message)?));
        Ok(None)
    }

    /// Records one latency in `client`'s shard.
    fn record(&self, client: usize, nanos: u64) {
        let shard = self.shards[client % SHARDS].lock();
        shard.map(|mut shard| shard.saturating_record(nanos)).unwrap_or_default();
    }

    /// Reports an end or a failure; whether the client reads on.
    fn report(&self, noted: Result<Option<Tally>, BenchError>) -> bool {
        match noted {
            Ok(None) => true,
            Ok(Some(ended)) => self.ends.send(Ok(ended)).is_ok(),
            Err(error) => {
                let _collector_gone = self.ends.send(Err(error));
                false
            }
        }
    }

    /// Every shard's latencies, merged, the shards emptied for the next phase.
    fn drain(&self) -> Result<Vec<Bucket>, BenchError> {
        let mut merged = crate::latency::record::histogram()?;
        for shard in &self.shards {
            if let Ok(mut histogram) = shard.lock() {
                let _same_bounds_never_fail = merged.add(&*histogram);
                histogram.reset();
            }
        }
        Ok(buckets(&merged))
    }
}

/// A client's reading loop: notes every binary message of `stream` (others are control
/// frames), reports each end marker and a failure (then stops).
pub async fn read<S>(mut stream: S, recorder: Arc<Recorder>, client: usize)
where
    S: Stream<Item = Result<Message, BenchError>> + Unpin,
{
    let mut tally = Tally::default();
    while let Some(item) = stream.next().await {
        let noted = item.and_then(|message| binary(&recorder, client, &mut tally, &message));
        if !recorder.report(noted) {
            return;
        }
    }
}

/// [`Recorder::note`] for a binary message; nothing for a control frame.
fn binary(
    recorder: &Recorder,
    client: usize,
    tally: &mut Tally,
    message: &Message,
) -> Result<Option<Tally>, BenchError> {
    match message {
        Message::Binary(_) => recorder.note(client, tally, message),
        _ => Ok(None),
    }
}

/// Prints a `phase <json>` line each time all `clients` of the process ended a phase;
/// returns the first client's failure.
pub async fn collect(recording: Recording, clients: usize) -> Result<(), BenchError> {
    let Recording { recorder, mut ends } = recording;
    let mut phase = PhaseLine::default();
    while let Some(ended) = ends.recv().await {
        if let Some(done) = phase.ended(ended?, clients) {
            say_phase(PhaseLine { buckets: recorder.drain()?, ..done }).await?;
        }
    }
    Ok(())
}

async fn say_phase(phase: PhaseLine) -> Result<(), BenchError> {
    super::child::say(&format!("phase {}\n", serde_json::to_string(&phase)?)).await
}

#[cfg(test)]
mod tests;
