//! Both ends of a latency run: the paced sender, and the client that checks each message's
//! order and records its one-way latency, from its send and from its due time, in the
//! run's histograms ([`Gathered`], [`Latencies`], [`hdrhistogram`]).

use super::clock::{self, now_nanos, Stamps};
pub(crate) use super::latencies::histogram;
use super::latencies::Latencies;
use super::recorder::{Arrival, Gathered, Recorder};
use super::Schedule;
use crate::payload::{self, Received};
use crate::push::Start;
use crate::workers::{WorkerLoad, Workers};
use crate::BenchError;
use futures::{Sink, SinkExt, Stream, StreamExt};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::ops::Range;
use std::time::Duration;
use tokio::task::JoinHandle;
use ws_reliability::Message;

/// A client's recording task: how many messages it received.
pub type Recording = JoinHandle<Result<u64, BenchError>>;

/// What one side measured at one load.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Percentiles {
    /// Messages delivered and recorded.
    pub delivered: u64,
    /// Messages delivered per second, from the first due message to the last end marker
    /// (below the offered rate when the senders or the clients fell behind).
    pub achieved_msgs_per_sec: f64,
    /// Median one-way latency, microseconds.
    pub p50_us: f64,
    /// 99th percentile, microseconds.
    pub p99_us: f64,
    /// 99.9th percentile, microseconds.
    pub p99_9_us: f64,
    /// The largest, microseconds.
    pub max_us: f64,
}

impl Percentiles {
    /// The figures of `histogram` (nanoseconds), recorded over `seconds`.
    pub fn of(histogram: &Histogram<u64>, seconds: f64) -> Self {
        let at = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
        let delivered = histogram.len();
        let achieved_msgs_per_sec = delivered as f64 / seconds.max(f64::MIN_POSITIVE);
        let rates = Percentiles { delivered, achieved_msgs_per_sec, ..Percentiles::default() };
        let max_us = histogram.max() as f64 / 1000.0;
        Percentiles { p50_us: at(0.5), p99_us: at(0.99), p99_9_us: at(0.999), max_us, ..rates }
    }
}

/// What one side recorded: every message's latencies and the seconds it ran, one round or
/// several pooled.
#[derive(Debug, Clone)]
pub struct Recorded {
    latencies: Latencies,
    seconds: f64,
    /// CPU seconds the whole process used meanwhile (0 where not measured).
    cpu_seconds: f64,
    /// What the runtime's workers counted meanwhile (zeros where not measured).
    workers: Workers,
}

impl Recorded {
    /// `latencies`, recorded over `seconds`, its CPU time not measured.
    pub fn new(latencies: Latencies, seconds: f64) -> Self {
        Recorded { latencies, seconds, cpu_seconds: 0.0, workers: Workers::default() }
    }

    /// `latencies`, recorded from `started` until now: the wall and CPU seconds since, and
    /// the workers' counts.
    pub fn since(latencies: Latencies, started: Start) -> Self {
        let cpu_seconds = crate::cpu::used().saturating_sub(started.cpu).as_secs_f64();
        let seconds = started.at.elapsed().as_secs_f64();
        let workers = Workers::now().since(started.workers);
        Recorded { latencies, seconds, cpu_seconds, workers }
    }

    /// Nothing recorded yet: the pool of no round.
    pub fn empty() -> Result<Self, BenchError> {
        Ok(Recorded::new(Latencies::new()?, 0.0))
    }

    /// Adds `round`'s messages and seconds to these.
    pub fn pool(&mut self, round: &Recorded) -> Result<(), BenchError> {
        self.latencies.add(&round.latencies)?;
        self.seconds += round.seconds;
        self.cpu_seconds += round.cpu_seconds;
        self.workers = self.workers.plus(round.workers);
        Ok(())
    }

    /// The runtime's workers: busy cores and parks per second, over the wall seconds.
    pub fn workers(&self) -> WorkerLoad {
        self.workers.per_second(self.seconds)
    }

    /// Cores the whole process kept busy on average: CPU seconds over wall seconds.
    pub fn cores(&self) -> f64 {
        crate::cpu::cores_busy(Duration::from_secs_f64(self.cpu_seconds), self.seconds)
    }

    /// The figures of everything recorded, each message from its send.
    pub fn percentiles(&self) -> Percentiles {
        Percentiles::of(&self.latencies.from_sent, self.seconds)
    }

    /// The same, each message from the time it was due.
    pub fn from_due(&self) -> Percentiles {
        Percentiles::of(&self.latencies.from_due, self.seconds)
    }
}

impl Percentiles {
    /// Delivered msgs/s, p50, p99, p99.9 and max, as table cells.
    pub fn cells(&self) -> String {
        let values =
            [self.achieved_msgs_per_sec, self.p50_us, self.p99_us, self.p99_9_us, self.max_us];
        values.map(|value| format!("{value:.0}")).join(" | ")
    }
}

/// Sends `schedule`'s messages into `sink` as they fall due (a flush after each run of due
/// messages, all stamped with the time of that run and each with its due time), then the
/// end marker; how many.
pub async fn paced<S, E>(mut sink: S, schedule: Schedule) -> Result<u64, BenchError>
where
    S: Sink<Message, Error = E> + Unpin,
    BenchError: From<E>,
{
    let mut sent = 0;
    while let Some(due) = schedule.next(sent).await {
        feed_run(&mut sink, &schedule, sent..due).await?;
        sent = due;
    }
    sink.send(clock::end()).await?;
    Ok(sent)
}

/// Feeds messages `indices` of `schedule`, stamped now, then flushes.
async fn feed_run<S>(sink: &mut S, schedule: &Schedule, indices: Range<u64>) -> Result<(), S::Error>
where
    S: Sink<Message> + Unpin,
{
    let sent = now_nanos();
    for index in indices {
        let stamps = Stamps { sent, due: schedule.due_nanos(index) };
        sink.feed(clock::stamped_twice(index, stamps)).await?;
    }
    sink.flush().await
}

/// Every client's recording task of one run, and the histograms they gather into.
#[derive(Debug)]
pub struct Recordings {
    tasks: Vec<Recording>,
    gathered: Gathered,
}

impl Recordings {
    /// No client recording yet.
    pub fn new() -> Result<Self, BenchError> {
        Ok(Recordings { tasks: Vec::new(), gathered: Gathered::new()? })
    }

    /// A client's side, on a task of its own: checks the order of what arrives on
    /// `stream` and records each message's latency until the end marker.
    pub fn spawn<S>(&mut self, stream: S)
    where
        S: Stream<Item = Result<Message, BenchError>> + Unpin + Send + 'static,
    {
        let recorder = Recorder::new(self.gathered.clone());
        self.tasks.push(tokio::spawn(record(stream, recorder)));
    }

    /// Every client's latencies, gathered, with the senders' counts checked against what
    /// each client received.
    pub async fn merge(
        self,
        senders: Vec<JoinHandle<Result<u64, BenchError>>>,
    ) -> Result<Latencies, BenchError> {
        let mut received = Vec::with_capacity(self.tasks.len());
        for recording in self.tasks {
            received.push(recording.await??);
        }
        crate::push::verify(sent(senders).await?, received)?;
        self.gathered.take()
    }
}

async fn record<S>(mut stream: S, mut recorder: Recorder) -> Result<u64, BenchError>
where
    S: Stream<Item = Result<Message, BenchError>> + Unpin,
{
    while let Some(message) = stream.next().await {
        if note(&mut recorder, &message?, now_nanos())? == Received::End {
            return recorder.finish();
        }
    }
    Err(BenchError::Ended { received: recorder.received() })
}

/// Checks `message`'s order and keeps its latency, had it `arrived` then.
fn note(recorder: &mut Recorder, message: &Message, arrived: u64) -> Result<Received, BenchError> {
    let received = payload::check(message, recorder.received())?;
    if received == Received::Next {
        let stamps = clock::stamps(message)?;
        #[cfg(feature = "trace")]
        crate::trace::late(stamps.sent, arrived);
        recorder.keep(Arrival { stamps, arrived })?;
    }
    Ok(received)
}

/// What each sender sent.
async fn sent(senders: Vec<JoinHandle<Result<u64, BenchError>>>) -> Result<Vec<u64>, BenchError> {
    let mut sent = Vec::with_capacity(senders.len());
    for sender in senders {
        sent.push(sender.await??);
    }
    Ok(sent)
}
