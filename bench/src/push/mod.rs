//! Push throughput: the server pushes 64-byte messages to K loopback clients; the time from
//! the first push to the last client's end marker, with every message checked in order.
//! [`raw`] is plain tokio-tungstenite, [`reliable`] is ReliableServer → ReliableClient.

pub mod raw;
pub mod reliable;

use crate::args::Workload;
use crate::payload::{self, Received};
use crate::BenchError;
use futures::{Stream, StreamExt};
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use ws_reliability::Message;

/// The raw server flushes after this many fed messages (and after the last one).
pub const FLUSH_EVERY: u64 = 256;
/// In a timed run, a sender reads the clock once per this many messages.
const CLOCK_EVERY: u64 = 64;
/// Connections opened concurrently during setup.
pub const CONNECTS_AT_ONCE: usize = 64;
/// How long connecting every client may take.
pub const SETUP_LIMIT: Duration = Duration::from_secs(300);
/// How long the push may take beyond a timed run's duration.
const PUSH_LIMIT: Duration = Duration::from_secs(600);

/// What one push run measured.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Throughput {
    /// Messages delivered to the client applications, every one checked.
    pub delivered: u64,
    /// Seconds from the first push to the last client's end marker.
    pub seconds: f64,
    /// CPU seconds the whole process (server and clients) used meanwhile.
    pub cpu_seconds: f64,
}

impl Throughput {
    /// Delivered messages per second (0 for an empty run).
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.delivered as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// Cores kept busy on average: near the machine's core count, the push is limited by
    /// the work per message; well below, by hand-offs between tasks.
    pub fn cores_busy(&self) -> f64 {
        crate::cpu::cores_busy(std::time::Duration::from_secs_f64(self.cpu_seconds), self.seconds)
    }
}

/// When a timed push started, by the wall clock, the process's CPU time and the runtime's
/// workers' counters.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    /// The wall clock.
    pub at: Instant,
    /// [`crate::cpu::used`] then.
    pub cpu: Duration,
    /// [`crate::workers::Workers::now`] then.
    pub workers: crate::workers::Workers,
}

impl Start {
    /// Now.
    pub fn now() -> Self {
        let workers = crate::workers::Workers::now();
        Start { at: Instant::now(), cpu: crate::cpu::used(), workers }
    }
}

/// When a sender stops pushing to its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// After this many messages.
    Count(u64),
    /// At this instant (the clock is read once per 64 messages).
    Until(Instant),
}

impl Pace {
    /// The pace of `workload` for a push started at `started`.
    pub fn new(workload: Workload, started: Instant) -> Pace {
        match workload {
            Workload::Messages(count) => Pace::Count(count),
            Workload::Duration(duration) => Pace::Until(started + duration),
        }
    }

    /// Whether a sender that has sent `sent` messages sends another.
    pub fn more(&self, sent: u64) -> bool {
        match *self {
            Pace::Count(count) => sent < count,
            Pace::Until(deadline) => sent % CLOCK_EVERY != 0 || Instant::now() < deadline,
        }
    }
}

/// A client's side: reads and checks messages until the end marker; how many came.
pub async fn receive<S>(mut stream: S) -> Result<u64, BenchError>
where
    S: Stream<Item = Result<Message, BenchError>> + Unpin,
{
    let mut received = 0;
    while let Some(message) = stream.next().await {
        match payload::check(&message?, received)? {
            Received::Next => received += 1,
            Received::End => return Ok(received),
        }
    }
    Err(BenchError::Ended { received })
}

/// Waits for every receiver (the timed part), then the senders; checks that each client
/// received what its sender sent.
pub async fn finish(
    started: Start,
    receivers: Vec<JoinHandle<Result<u64, BenchError>>>,
    senders: Vec<JoinHandle<Result<u64, BenchError>>>,
    workload: Workload,
) -> Result<Throughput, BenchError> {
    finish_counted(started, counts(receivers), senders, workload).await
}

/// [`finish`] with the receivers' counts from one future, in any order.
pub async fn finish_counted(
    started: Start,
    received: impl Future<Output = Result<Vec<u64>, BenchError>>,
    senders: Vec<JoinHandle<Result<u64, BenchError>>>,
    workload: Workload,
) -> Result<Throughput, BenchError> {
    let received = tokio::time::timeout(limit(workload), received).await;
    let received = received.map_err(|_| BenchError::TimedOut("not every message arrived"))??;
    let seconds = started.at.elapsed().as_secs_f64();
    let cpu_seconds = crate::cpu::used().saturating_sub(started.cpu).as_secs_f64();
    let delivered = verify(counts(senders).await?, received)?;
    Ok(Throughput { delivered, seconds, cpu_seconds })
}

fn limit(workload: Workload) -> Duration {
    match workload {
        Workload::Messages(_) => PUSH_LIMIT,
        Workload::Duration(duration) => duration + PUSH_LIMIT,
    }
}

async fn counts(tasks: Vec<JoinHandle<Result<u64, BenchError>>>) -> Result<Vec<u64>, BenchError> {
    let mut counts = Vec::with_capacity(tasks.len());
    for task in tasks {
        counts.push(task.await??);
    }
    Ok(counts)
}

/// The messages delivered, when the clients' counts are the senders' counts (in any order:
/// a raw server does not know which client it accepted).
pub fn verify(mut sent: Vec<u64>, mut received: Vec<u64>) -> Result<u64, BenchError> {
    sent.sort_unstable();
    received.sort_unstable();
    let received_total = received.iter().sum();
    if sent != received {
        return Err(BenchError::Lost { sent: sent.iter().sum(), received: received_total });
    }
    Ok(received_total)
}

#[cfg(test)]
mod tests;
