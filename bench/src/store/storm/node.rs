//! The storm's server node, a child process (`ws-bench store-node`): a ReliableServer
//! keeping its sessions in a redb file or on the benchmark's redis-server, listening on the
//! address given (port 0 for the first node; the replacement takes the same address). Once
//! it listens it prints `listening <address> <CLOCK_MONOTONIC ns>` ([`crate::mono`]), the
//! moment the storm's resume times count from; it runs until killed or its stdin closes.
//! [`NodeProcess`] is the parent's handle: started, then killed with SIGKILL.

use crate::BenchError;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use ws_reliability::server::Listen;
use ws_reliability::server::{ReliableServer, ServerConfig};
use ws_reliability::store::{RedbConfig, RedbStore, RedisConfig, RedisStore, SessionStore};

/// How long a node may take to listen after it was started (a redb file is repaired first
/// after a kill).
const START_LIMIT: Duration = Duration::from_secs(120);

/// The stores a storm node can keep its sessions in (both outlive the process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStore {
    /// A redb file, default policy (`Durability::Fsync`).
    Redb,
    /// The benchmark's redis-server.
    Redis,
}

impl NodeStore {
    /// Its `--store` value.
    pub fn label(self) -> &'static str {
        match self {
            NodeStore::Redb => "redb",
            NodeStore::Redis => "redis",
        }
    }
}

/// The command line of a storm node.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct NodeArgs {
    /// Where it keeps its sessions.
    #[arg(long, value_enum)]
    pub store: NodeStore,
    /// The redb file (`--store redb`) or the redis-server's URL (`--store redis`).
    #[arg(long)]
    pub at: String,
    /// Where it listens.
    #[arg(long)]
    pub listen: SocketAddr,
}

impl NodeArgs {
    /// `ws-bench store-node ...` with these arguments.
    fn command(&self, exe: &std::path::Path) -> Command {
        let mut command = Command::new(exe);
        command.args(["store-node", "--store", self.store.label(), "--at", &self.at]);
        command.args(["--listen", &self.listen.to_string()]);
        command
    }

    /// Opens the store these arguments name.
    async fn open(&self) -> Result<Arc<dyn SessionStore>, BenchError> {
        match self.store {
            NodeStore::Redb => Ok(Arc::new(RedbStore::open(&self.at, RedbConfig::default())?)),
            NodeStore::Redis => {
                Ok(Arc::new(RedisStore::connect(&self.at, RedisConfig::default()).await?))
            }
        }
    }
}

/// The node's server: [`super::super::push::config`] (ReliableServer's defaults, no
/// per-address limit) with the store.
pub fn config(store: Arc<dyn SessionStore>) -> ServerConfig {
    super::super::push::config(Some(store))
}

/// Runs a node until its stdin closes (or it is killed).
pub async fn serve(args: NodeArgs) -> Result<(), BenchError> {
    let server = ReliableServer::new(config(args.open().await?));
    let listener = server.listen(args.listen).await?;
    let line = format!("listening {} {}\n", listener.local_addr(), crate::mono::now_nanos());
    let mut stdout = tokio::io::stdout();
    stdout.write_all(line.as_bytes()).await?;
    stdout.flush().await?;
    until_stdin_closes().await
}

async fn until_stdin_closes() -> Result<(), BenchError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while lines.next_line().await?.is_some() {}
    Ok(())
}

/// A running node, killed when dropped.
#[derive(Debug)]
pub struct NodeProcess {
    child: Child,
    /// Where and since when it listens.
    pub listening: Listening,
}

/// What a node's first line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening {
    /// Where it listens.
    pub addr: SocketAddr,
    /// When it started listening, on `CLOCK_MONOTONIC` (ns).
    pub nanos: u64,
}

impl NodeProcess {
    /// Starts a node and returns once it listens.
    pub async fn start(exe: &std::path::Path, args: &NodeArgs) -> Result<Self, BenchError> {
        let mut command = args.command(exe);
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true);
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().ok_or(BenchError::Store("no pipe".into()))?;
        let line = tokio::time::timeout(START_LIMIT, first_line(stdout)).await??;
        Ok(NodeProcess { child, listening: listening(&line)? })
    }

    /// SIGKILL, and waits until the process is gone.
    pub async fn kill(mut self) -> Result<(), BenchError> {
        Ok(self.child.kill().await?)
    }
}

async fn first_line(stdout: tokio::process::ChildStdout) -> Result<String, BenchError> {
    let line = BufReader::new(stdout).lines().next_line().await?;
    line.ok_or(BenchError::Store("the store node ended before it listened".into()))
}

/// The address and the stamp of a `listening <address> <ns>` line.
pub fn listening(line: &str) -> Result<Listening, BenchError> {
    let unreadable = || BenchError::Store(format!("unreadable node line `{line}`"));
    let mut words = line.strip_prefix("listening ").ok_or_else(unreadable)?.split(' ');
    let addr = words.next().and_then(|addr| addr.parse().ok()).ok_or_else(unreadable)?;
    let nanos = words.next().and_then(|nanos| nanos.parse().ok()).ok_or_else(unreadable)?;
    Ok(Listening { addr, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listening_line_gives_the_address_and_the_stamp() {
        let line = listening("listening 127.0.0.1:4000 123").unwrap();
        assert_eq!((line.addr.port(), line.nanos), (4000, 123));
        assert!(listening("listening 127.0.0.1:4000").is_err());
        assert!(listening("hello").is_err());
    }

    #[test]
    fn the_command_names_the_store_and_the_address() {
        let listen = "127.0.0.1:0".parse().unwrap();
        let args = NodeArgs { store: NodeStore::Redis, at: "redis://x/".into(), listen };
        let command = args.command(std::path::Path::new("ws-bench"));
        let line: Vec<_> = command.as_std().get_args().map(|arg| arg.to_string_lossy()).collect();
        assert_eq!(line.join(" "), "store-node --store redis --at redis://x/ --listen 127.0.0.1:0");
    }
}
