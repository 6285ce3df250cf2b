//! The harness: starts the nodes, the clients, kills and restarts a node on schedule,
//! stops the producers, drains, and reports.

use super::args::{RunArgs, StoreKind};
use super::children::{NodeProcess, NodeSpec, Report};
use super::clients::{self, with, Shared, Wiring};
use super::report::{Ended, NodesReport, RunInfo};
use super::schedule::{Schedule, Step};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use ws_reliability::client::ReliableClient;

/// How long the drain waits for every sent message to arrive.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);

/// The nodes and where their lines go.
struct Cluster {
    nodes: Vec<NodeProcess>,
    reports: mpsc::UnboundedSender<Report>,
    kills: u64,
}

/// A run under way.
struct Running {
    cluster: Cluster,
    clients: Vec<Arc<ReliableClient>>,
    ledger: Shared,
    stop: watch::Sender<bool>,
}

/// Runs the harness; the report.
pub async fn run(args: &RunArgs, seed: u64) -> Result<NodesReport, String> {
    args.check()?;
    fresh_store(args)?;
    let ledger = Shared::default();
    let cluster = start_nodes(args, &ledger).await?;
    let stop = watch::Sender::new(false);
    let wiring = Wiring { ledger: ledger.clone(), stop: stop.subscribe() };
    let clients = connect(args, seed, &cluster.urls(), wiring).await?;
    Running { cluster, clients, ledger, stop }.finish(args, seed).await
}

impl Running {
    /// The run's duration with its kills, the producers stopped, the drain; the report.
    async fn finish(mut self, args: &RunArgs, seed: u64) -> Result<NodesReport, String> {
        let mut draw = fastrand::Rng::with_seed(seed);
        let duration_seconds = self.cluster.chaos(args, &self.ledger, &mut draw).await?;
        let _ = self.stop.send(true);
        self.cluster.stop_producing().await?;
        drain(&self.ledger, &self.clients).await;
        let outcome = Outcome { ledger: self.ledger, kills: self.cluster.kills, duration_seconds };
        Ok(report(args, seed, &outcome))
    }
}

/// Removes the redb file of an earlier run.
fn fresh_store(args: &RunArgs) -> Result<(), String> {
    if args.store.store != StoreKind::Redb {
        return Ok(());
    }
    let path = &args.store.path;
    let _ = std::fs::remove_file(path);
    let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
    parent.map_or(Ok(()), std::fs::create_dir_all).map_err(|error| error.to_string())
}

async fn start_nodes(args: &RunArgs, ledger: &Shared) -> Result<Cluster, String> {
    let mut cluster = Cluster { nodes: Vec::new(), reports: pump(ledger), kills: 0 };
    for index in 0..args.nodes {
        let store = args.store.clone();
        let spec = NodeSpec { index, listen: free_addr()?, store, every_ms: args.every_ms() };
        cluster.nodes.push(spec.start(cluster.reports.clone()).await?);
    }
    Ok(cluster)
}

/// Where the nodes' lines go: into the ledger.
fn pump(ledger: &Shared) -> mpsc::UnboundedSender<Report> {
    let (reports, mut lines) = mpsc::unbounded_channel::<Report>();
    let ledger = ledger.clone();
    tokio::spawn(async move {
        while let Some(report) = lines.recv().await {
            with(&ledger, |ledger| ledger.node_line(report.node, report.line));
        }
    });
    reports
}

fn free_addr() -> Result<std::net::SocketAddr, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|error| error.to_string())?;
    listener.local_addr().map_err(|error| error.to_string())
}

/// Connects every client, each trying a node drawn by the seed first.
async fn connect(
    args: &RunArgs,
    seed: u64,
    urls: &[String],
    wiring: Wiring,
) -> Result<Vec<Arc<ReliableClient>>, String> {
    let mut draw = fastrand::Rng::with_seed(seed);
    let starting = (0..args.connections).map(|index| {
        let urls = clients::urls_of(urls, draw.usize(..urls.len()));
        clients::start(index as u64, urls, wiring.clone())
    });
    futures::future::try_join_all(starting).await
}

impl Cluster {
    fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|node| format!("ws://{}", node.spec.listen)).collect()
    }

    /// Waits out the run, killing and restarting node after node every
    /// `--kill-server-every`, and having nodes post to sessions other nodes run; the
    /// seconds it took.
    async fn chaos(
        &mut self,
        args: &RunArgs,
        ledger: &Shared,
        draw: &mut fastrand::Rng,
    ) -> Result<f64, String> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + args.duration;
        let mut schedule = Schedule::new(deadline, args.kill_server_every, self.nodes.len() > 1);
        while let Some(step) = schedule.next().await {
            self.take(step, ledger, draw).await?;
        }
        Ok(started.elapsed().as_secs_f64())
    }

    /// Kills the next node, or has one post across.
    async fn take(
        &mut self,
        step: Step,
        ledger: &Shared,
        draw: &mut fastrand::Rng,
    ) -> Result<(), String> {
        match step {
            Step::Kill => self.kill_and_restart().await,
            Step::Post => self.post_across(ledger, draw).await,
        }
    }

    /// Tells a node to post to a session another node holds (drawn).
    async fn post_across(
        &mut self,
        ledger: &Shared,
        draw: &mut fastrand::Rng,
    ) -> Result<(), String> {
        let Some(held) = with(ledger, |ledger| ledger.drawn_session(draw)) else { return Ok(()) };
        let others: Vec<usize> =
            (0..self.nodes.len()).filter(|index| *index != held.holder).collect();
        let Some(poster) = others.get(draw.usize(..others.len().max(1))) else { return Ok(()) };
        self.nodes[*poster].order_post(&held.session).await
    }

    /// SIGKILLs the next node in turn and starts it again on the same address and store.
    async fn kill_and_restart(&mut self) -> Result<(), String> {
        let index = (self.kills % self.nodes.len() as u64) as usize;
        let node = self.nodes.remove(index);
        let spec = node.kill().await?;
        self.kills += 1;
        let restarted = spec.start(self.reports.clone()).await?;
        self.nodes.insert(index, restarted);
        Ok(())
    }

    async fn stop_producing(&mut self) -> Result<(), String> {
        for node in &mut self.nodes {
            node.stop_producing().await?;
        }
        Ok(())
    }
}

/// Waits until every reported send was delivered, every client message taken and every
/// client's outbox acknowledged (at most [`DRAIN_LIMIT`]: what is missing then is lost).
async fn drain(ledger: &Shared, clients: &[Arc<ReliableClient>]) {
    let limit = Instant::now() + DRAIN_LIMIT;
    tokio::time::sleep(Duration::from_secs(1)).await; // the producers' last sends report
    while Instant::now() < limit && !settled(ledger, clients) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn settled(ledger: &Shared, clients: &[Arc<ReliableClient>]) -> bool {
    let pending = with(ledger, |ledger| ledger.undelivered() + ledger.untaken());
    pending == 0 && clients.iter().all(|client| client.unacked() == 0)
}

/// What the run ended with.
struct Outcome {
    ledger: Shared,
    kills: u64,
    duration_seconds: f64,
}

fn report(args: &RunArgs, seed: u64, outcome: &Outcome) -> NodesReport {
    let run = RunInfo::of(args, seed);
    let counts = with(&outcome.ledger, |ledger| ledger.counts());
    let mut report = NodesReport { run, ended: ended(outcome), counts, passed: false };
    report.passed = report.verdict();
    report
}

/// The kills, the run's length and what was lost.
fn ended(outcome: &Outcome) -> Ended {
    let lost = with(&outcome.ledger, |ledger| ledger.undelivered());
    let client_lost = with(&outcome.ledger, |ledger| ledger.untaken());
    let server_kills = outcome.kills;
    let duration_seconds = outcome.duration_seconds;
    let cross_node_sends = with(&outcome.ledger, |ledger| ledger.counts.cross_node_sends);
    let posts_lost = with(&outcome.ledger, |ledger| ledger.undelivered_posts());
    Ended { server_kills, duration_seconds, lost, posts_lost, client_lost, cross_node_sends }
}
