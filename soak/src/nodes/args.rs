//! The command line of `ws-soak-nodes`: `run` (the harness) and `node` (one server node,
//! a child process of the harness).

use crate::args::parse_duration;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Server nodes as child processes, killed with SIGKILL and restarted, sessions in a store.
#[derive(Debug, Parser)]
#[command(name = "ws-soak-nodes")]
pub struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The harness, or one node.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The harness: nodes as child processes, the clients here.
    Run(RunArgs),
    /// One server node (started by the harness).
    Node(NodeArgs),
}

/// Which store the nodes keep their sessions in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// In the node's memory: lost with the process.
    Memory,
    /// A redb file: one node, restarted on the same file.
    Redb,
    /// A Redis server shared by every node.
    Redis,
}

impl StoreKind {
    /// Its name on the command line.
    pub fn label(self) -> &'static str {
        match self {
            StoreKind::Memory => "memory",
            StoreKind::Redb => "redb",
            StoreKind::Redis => "redis",
        }
    }
}

/// Where a node's store is.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The store.
    #[arg(long, value_enum, default_value = "memory")]
    pub store: StoreKind,
    /// The redb file (`--store redb`).
    #[arg(long, default_value = "target/reliability/nodes/sessions.redb")]
    pub path: PathBuf,
    /// The Redis URL (`--store redis`), e.g. `redis+unix:///tmp/x/redis.sock`.
    #[arg(long)]
    pub redis_url: Option<String>,
}

/// The harness's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The store and where it is.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Server nodes (child processes).
    #[arg(long, default_value_t = 1)]
    pub nodes: usize,
    /// Kill a node with SIGKILL and restart it this often (round robin over the nodes).
    #[arg(long, value_parser = parse_duration)]
    pub kill_server_every: Option<Duration>,
    /// Clients (each one session).
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// How long the nodes produce.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Durable sends per second, summed over every session.
    #[arg(long, default_value_t = 5000)]
    pub rate: u64,
    /// Seed of which node each client tries first (random when absent; always printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Where the JSON report is always written.
    #[arg(long, default_value = "target/reliability/nodes-report.json")]
    pub out: PathBuf,
}

/// One node's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct NodeArgs {
    /// The store and where it is.
    #[command(flatten)]
    pub store: StoreArgs,
    /// This node's name in the store.
    #[arg(long)]
    pub node: String,
    /// Where it listens.
    #[arg(long)]
    pub listen: std::net::SocketAddr,
    /// Milliseconds between two durable sends of one session.
    #[arg(long, default_value_t = 200)]
    pub every_ms: u64,
}

impl RunArgs {
    /// Refuses what cannot be run: a memory store does not survive a kill and is not shared,
    /// a redb file has one process at a time.
    pub fn check(&self) -> Result<(), String> {
        let store = self.store.store;
        if store == StoreKind::Memory && self.kill_server_every.is_some() {
            return Err(MEMORY_KILLED.into());
        }
        if store != StoreKind::Redis && self.nodes != 1 {
            return Err(one_node(store));
        }
        Ok(())
    }

    /// Milliseconds between two durable sends of one session, for `--rate` over every session.
    pub fn every_ms(&self) -> u64 {
        let per_second = self.rate.max(1);
        (self.connections as u64 * 1000 / per_second).max(1)
    }
}

impl RunArgs {
    /// The command that repeats this run with `seed`.
    pub fn reproduce(&self, seed: u64) -> String {
        let store = self.store.store.label();
        let duration = crate::args::format_duration(self.duration);
        let kills = self.kills_flag();
        let Self { nodes, connections, rate, .. } = self;
        format!(
            "cargo xtask reliability --store {store} --nodes {nodes}{kills} --connections \
             {connections} --duration {duration} --rate {rate} --seed {seed}"
        )
    }
}

impl RunArgs {
    /// ` --kill-server-every D`, if given.
    fn kills_flag(&self) -> String {
        let every = self.kill_server_every.map(crate::args::format_duration);
        every.map(|every| format!(" --kill-server-every {every}")).unwrap_or_default()
    }
}

/// Why `--nodes` above 1 needs Redis.
fn one_node(store: StoreKind) -> String {
    let store = store.label();
    format!("--store {store} keeps sessions for one node: use --nodes 1 (or --store redis)")
}

/// Why `--store memory` cannot be killed.
const MEMORY_KILLED: &str = "--store memory keeps sessions in the node's memory: a node \
     killed with SIGKILL loses them all; use --store redb or --store redis with \
     --kill-server-every";
