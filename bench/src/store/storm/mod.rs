//! The resume storm: `--storm-clients` ReliableClients (default 1000) hold sessions on a
//! server node (a child process, [`node`]) that keeps them in a store; the node is killed
//! with SIGKILL, a replacement starts on the same address with the same store, and every
//! client's time is taken from the moment the replacement listens (its own stamp on
//! `CLOCK_MONOTONIC`) until its WELCOME with `resumed` ([`crowd`]). Reported: p50, p99
//! and max, the sessions lost (SESSION_LOST or a fresh session) and those not resumed
//! within [`RESUME_LIMIT`], and the time from the SIGKILL until the replacement listened.

pub mod crowd;
pub mod node;

use crate::BenchError;
use crowd::Welcome;
use node::{NodeArgs, NodeProcess, NodeStore};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::task::JoinHandle;
use ws_reliability::client::ReliableClient;

/// How long the clients may take to resume after the replacement listens.
pub const RESUME_LIMIT: Duration = Duration::from_secs(60);
/// Issue target: p99 of the resume times below this many milliseconds.
pub const P99_TARGET_MS: f64 = 2000.0;

/// One storm.
#[derive(Debug, Clone)]
pub struct Storm<'a> {
    /// The `ws-bench` binary (the nodes are its `store-node` subcommand).
    pub exe: &'a Path,
    /// Where the nodes keep their sessions.
    pub store: NodeStore,
    /// The redb file or the redis-server's URL.
    pub at: String,
    /// Clients.
    pub clients: usize,
}

/// The replacement node, and how long after the SIGKILL it listened.
struct Restarted {
    node: NodeProcess,
    secs: f64,
}

impl Storm<'_> {
    /// Runs the storm.
    pub async fn run(&self) -> Result<StormReport, BenchError> {
        let first = NodeProcess::start(self.exe, &self.args(any_port())).await?;
        let clients = self.connect(first.listening.addr).await?;
        let watchers = crowd::watch(&clients);
        let restarted = self.restart(first).await?;
        let tally = tally(watchers, restarted.node.listening.nanos).await;
        crowd::close(clients).await;
        Ok(StormReport::new(self, restarted.secs, tally))
    }

    fn args(&self, listen: SocketAddr) -> NodeArgs {
        NodeArgs { store: self.store, at: self.at.clone(), listen }
    }

    async fn connect(&self, addr: SocketAddr) -> Result<Vec<ReliableClient>, BenchError> {
        let url = format!("ws://{addr}/");
        eprintln!("ws-bench: storm, {:?}: {} clients to {url}…", self.store, self.clients);
        let connecting = crowd::connect(&url, self.clients);
        tokio::time::timeout(crate::push::SETUP_LIMIT, connecting).await?
    }

    /// Kills `first` and starts its replacement on the same address and store.
    async fn restart(&self, first: NodeProcess) -> Result<Restarted, BenchError> {
        let addr = first.listening.addr;
        let killed = crate::mono::now_nanos();
        first.kill().await?;
        let node = NodeProcess::start(self.exe, &self.args(addr)).await?;
        let secs = node.listening.nanos.saturating_sub(killed) as f64 / 1e9;
        Ok(Restarted { node, secs })
    }
}

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// What the clients' WELCOMEs after the kill said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Each resumed client's time from the replacement's listening, ns.
    pub resume_nanos: Vec<u64>,
    /// Clients whose session was lost.
    pub lost: usize,
    /// Clients with no WELCOME within [`RESUME_LIMIT`].
    pub not_resumed: usize,
}

impl Tally {
    fn count(&mut self, welcome: Option<Welcome>, since: u64) {
        match welcome {
            Some(Welcome::Resumed(at)) => self.resume_nanos.push(at.saturating_sub(since)),
            Some(Welcome::Lost) => self.lost += 1,
            None => self.not_resumed += 1,
        }
    }
}

/// Every watcher's WELCOME, timed from `since` (ns); one without it by [`RESUME_LIMIT`]
/// counts as not resumed.
async fn tally(watchers: Vec<JoinHandle<Welcome>>, since: u64) -> Tally {
    let deadline = tokio::time::Instant::now() + RESUME_LIMIT;
    let mut tally = Tally::default();
    for watcher in watchers {
        let welcome = tokio::time::timeout_at(deadline, watcher).await;
        tally.count(welcome.ok().and_then(Result::ok), since);
    }
    tally
}

/// What a storm was: its store, its clients and their backoff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StormSetup {
    /// Where the nodes kept their sessions.
    pub store: NodeStore,
    /// Clients (sessions) before the kill.
    pub clients: usize,
    /// The clients' reconnect backoff.
    pub reconnect_backoff: String,
}

impl StormSetup {
    fn of(storm: &Storm<'_>) -> Self {
        let reconnect_backoff = crowd::backoff_text();
        StormSetup { store: storm.store, clients: storm.clients, reconnect_backoff }
    }
}

/// What became of the sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Sessions resumed.
    pub resumed: usize,
    /// Sessions lost (SESSION_LOST or a fresh session).
    pub sessions_lost: usize,
    /// Clients not resumed within [`RESUME_LIMIT`].
    pub not_resumed: usize,
}

impl Tally {
    fn outcome(&self) -> Outcome {
        let resumed = self.resume_nanos.len();
        Outcome { resumed, sessions_lost: self.lost, not_resumed: self.not_resumed }
    }

    fn percentiles(&self) -> Percentiles {
        let mut sorted = self.resume_nanos.clone();
        sorted.sort_unstable();
        Percentiles::of(&sorted)
    }
}

/// One storm's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StormReport {
    /// The store, the clients, their backoff.
    #[serde(flatten)]
    pub setup: StormSetup,
    /// Seconds from the SIGKILL until the replacement listened (process start, store open).
    pub restart_secs: f64,
    /// The sessions resumed, lost, not resumed.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Resume times from the replacement's listening.
    #[serde(flatten)]
    pub times: Percentiles,
    /// Every session resumed, and p99 below [`P99_TARGET_MS`].
    pub pass: bool,
}

impl StormReport {
    /// The report of `storm`, its replacement listening `restart_secs` after the kill.
    pub fn new(storm: &Storm<'_>, restart_secs: f64, tally: Tally) -> Self {
        let setup = StormSetup::of(storm);
        let times = tally.percentiles();
        let outcome = tally.outcome();
        let pass = outcome.resumed == setup.clients && times.p99_ms < P99_TARGET_MS;
        StormReport { setup, restart_secs, outcome, times, pass }
    }
}

/// Percentiles of sorted nanoseconds, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

impl Percentiles {
    /// Of `sorted` (ascending) nanoseconds; zeros for none.
    pub fn of(sorted: &[u64]) -> Self {
        let max_ms = rank(sorted, 1.0);
        Percentiles { p50_ms: rank(sorted, 0.5), p99_ms: rank(sorted, 0.99), max_ms }
    }
}

/// The nearest-rank `fraction` percentile of `sorted` nanoseconds, in ms (0 for none).
fn rank(sorted: &[u64], fraction: f64) -> f64 {
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1)).map_or(0.0, |nanos| *nanos as f64 / 1e6)
}

#[cfg(test)]
mod tests;
