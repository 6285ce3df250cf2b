//! Server memory per idle connection: the server runs in a child process (`ws-bench serve
//! --kind raw|reliable`, see [`serve`]), this process opens the idle connections
//! ([`connect`]), and the child's resident set before and after, divided by the number of
//! connections, is the server's cost per idle connection, transport included.
//!
//! The child speaks a line protocol: it prints its address, then answers each line on its
//! stdin with `<VmRSS bytes> <VmHWM bytes> <connections>` ([`Reading`]).

pub mod connect;
pub mod serve;

use crate::args::ServerKind;
use crate::BenchError;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use ws_soak::memory::per_connection;

/// How long the idle connections have to be served.
const CONNECT_LIMIT: Duration = Duration::from_secs(300);
/// How often the child is asked while connections open.
const POLL: Duration = Duration::from_millis(100);
/// The pause between all connections being served and the reading that counts.
const SETTLE: Duration = Duration::from_millis(500);

/// One server's memory with its idle connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IdleMemory {
    /// Idle connections held open.
    pub connections: usize,
    /// The server process's resident set before any connection, bytes.
    pub baseline_rss: u64,
    /// Its resident set with every connection open and idle, bytes.
    pub loaded_rss: u64,
    /// Its peak resident set, bytes.
    pub peak_rss: u64,
    /// `(loaded_rss - baseline_rss) / connections`.
    pub bytes_per_connection: u64,
}

impl IdleMemory {
    /// The memory of `connections` from the readings before and after.
    pub fn new(connections: usize, baseline: Reading, loaded: Reading) -> Self {
        let bytes_per_connection = per_connection(baseline.rss, loaded.rss, connections);
        IdleMemory {
            connections,
            baseline_rss: baseline.rss,
            loaded_rss: loaded.rss,
            peak_rss: loaded.peak,
            bytes_per_connection,
        }
    }
}

/// One answer of the child: resident set, peak, connections served (the soak's memory
/// probe speaks the same line).
pub use ws_soak::harness::probe::Reading;

/// The memory of a `kind` server holding `connections` idle connections; the server is
/// `exe serve --kind <kind>` (`exe`: the `ws-bench` binary).
pub async fn measure(
    exe: &Path,
    kind: ServerKind,
    connections: usize,
) -> Result<IdleMemory, BenchError> {
    let mut probe = Probe::spawn(exe, kind, None)?;
    let addr = probe.line().await?;
    let baseline = probe.reading().await?;
    let held = connect::open(kind, &addr, connections).await?;
    let loaded = probe.settled(connections).await;
    held.close().await;
    Ok(IdleMemory::new(connections, baseline, loaded?))
}

/// The server child process and its pipes (killed when dropped).
#[derive(Debug)]
pub struct Probe {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Probe {
    /// Starts `exe serve --kind <kind>`, with `--capacity` when given.
    pub fn spawn(
        exe: &Path,
        kind: ServerKind,
        capacity: Option<usize>,
    ) -> Result<Probe, BenchError> {
        let mut command = Command::new(exe);
        command.args(["serve", "--kind", kind_arg(kind)]);
        command.args(capacity.map(|count| format!("--capacity={count}")));
        let mut child =
            command.stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
        let pipes = child.stdin.take().zip(child.stdout.take());
        let (stdin, stdout) = pipes.ok_or_else(|| BenchError::Probe("no pipes".into()))?;
        Ok(Probe { child, stdin, lines: BufReader::new(stdout).lines() })
    }

    /// The server process's id (`None` once it ended).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The next line the server prints (its address first).
    pub async fn line(&mut self) -> Result<String, BenchError> {
        let line = self.lines.next_line().await?;
        line.ok_or_else(|| BenchError::Probe("the server process ended".into()))
    }

    /// Its memory and connections now.
    pub async fn reading(&mut self) -> Result<Reading, BenchError> {
        self.stdin.write_all(b"rss\n").await?;
        let line = self.line().await?;
        Reading::parse(&line).ok_or_else(|| BenchError::Probe(format!("unreadable `{line}`")))
    }

    /// Waits until it serves `connections` (an error after `CONNECT_LIMIT`).
    pub async fn served(&mut self, connections: usize) -> Result<(), BenchError> {
        let started = tokio::time::Instant::now();
        while self.reading().await?.connections < connections {
            within_limit(started)?;
            tokio::time::sleep(POLL).await;
        }
        Ok(())
    }

    /// The reading once `connections` are served and `SETTLE` has passed.
    pub async fn settled(&mut self, connections: usize) -> Result<Reading, BenchError> {
        self.served(connections).await?;
        tokio::time::sleep(SETTLE).await;
        self.reading().await
    }
}

/// An error once [`CONNECT_LIMIT`] has passed since `started`.
fn within_limit(started: tokio::time::Instant) -> Result<(), BenchError> {
    let within = started.elapsed() <= CONNECT_LIMIT;
    within.then_some(()).ok_or(BenchError::TimedOut("the idle connections were not all served"))
}

/// The server's address, from its first line.
pub fn address(line: &str) -> Result<std::net::SocketAddr, BenchError> {
    line.parse().map_err(|_| BenchError::Probe(format!("not an address: `{line}`")))
}

/// The `--kind` value of `kind`.
pub fn kind_arg(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Raw => "raw",
        ServerKind::Reliable => "reliable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_round_trip() {
        let reading = Reading { rss: 10, peak: 20, connections: 3 };
        assert_eq!(Reading::parse(&reading.line()), Some(reading));
        assert_eq!(Reading::parse("10 20"), None);
        assert_eq!(Reading::parse("ten 20 3"), None);
    }

    #[test]
    fn memory_divides_the_growth() {
        let at = |rss, connections| Reading { rss, peak: rss + 1, connections };
        let memory = IdleMemory::new(10, at(1000, 0), at(81_000, 10));
        assert_eq!((memory.bytes_per_connection, memory.peak_rss), (8000, 81_001));
    }

    #[test]
    fn kinds_name_their_flag() {
        assert_eq!(
            (kind_arg(ServerKind::Raw), kind_arg(ServerKind::Reliable)),
            ("raw", "reliable")
        );
    }
}
