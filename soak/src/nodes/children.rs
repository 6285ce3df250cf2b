//! The nodes as child processes of the harness: started with this same binary's `node`
//! subcommand, their stdout read line by line into one channel, killed with SIGKILL
//! (`Child::kill`) and restarted on the same address and store.

use super::args::StoreArgs;
use super::line::{parse, Line};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{mpsc, oneshot};

/// How long a node may take to listen after it was started.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A line of node `node`.
#[derive(Debug)]
pub struct Report {
    /// Which node (its index).
    pub node: usize,
    /// What it said.
    pub line: Line,
}

/// How to start node `index`.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// Its index, also its name (`n0`, `n1`, ...).
    pub index: usize,
    /// Where it listens.
    pub listen: SocketAddr,
    /// Its store.
    pub store: StoreArgs,
    /// Milliseconds between two durable sends of one session.
    pub every_ms: u64,
}

/// A running node.
#[derive(Debug)]
pub struct NodeProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    /// How it was started.
    pub spec: NodeSpec,
}

impl NodeSpec {
    /// Its command line: `<this binary> node ...`.
    fn command(&self) -> Result<Command, String> {
        let binary = std::env::current_exe().map_err(|error| error.to_string())?;
        let mut command = Command::new(binary);
        command.args(["node", "--node", &format!("n{}", self.index)]);
        command.args(["--store", self.store.store.label()]);
        command.arg("--path").arg(&self.store.path).arg("--listen").arg(self.listen.to_string());
        command.args(["--every-ms", &self.every_ms.to_string()]);
        command.args(self.store.redis_url.iter().flat_map(|url| ["--redis-url", url]));
        Ok(command)
    }

    fn spawn(&self) -> Result<Child, String> {
        let mut command = self.command()?;
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true);
        command.spawn().map_err(|error| format!("starting node n{}: {error}", self.index))
    }

    /// Starts the node; returns once it listens, its lines going to `reports`.
    pub async fn start(
        self,
        reports: mpsc::UnboundedSender<Report>,
    ) -> Result<NodeProcess, String> {
        let mut child = self.spawn()?;
        let stdout = child.stdout.take().ok_or("the node's stdout is not piped")?;
        let (listening, listens) = oneshot::channel();
        let reader = Reader { node: self.index, reports, listening: Some(listening) };
        tokio::spawn(read(stdout, reader));
        let started = tokio::time::timeout(START_LIMIT, listens).await.ok();
        started.and_then(Result::ok).ok_or(format!("node n{} did not listen", self.index))?;
        Ok(NodeProcess { stdin: child.stdin.take(), child, spec: self })
    }
}

/// Where a node's lines go.
struct Reader {
    node: usize,
    reports: mpsc::UnboundedSender<Report>,
    listening: Option<oneshot::Sender<()>>,
}

/// Forwards every line of a node's stdout until it closes (the node died).
async fn read(stdout: ChildStdout, mut reader: Reader) {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(text)) = lines.next_line().await {
        let Some(line) = parse(&text) else { continue };
        if line == Line::Listening {
            reader.listening.take().map(|listening| listening.send(()));
        }
        let _ = reader.reports.send(Report { node: reader.node, line });
    }
}

impl NodeProcess {
    /// SIGKILL, and waits until the process is gone.
    pub async fn kill(mut self) -> Result<NodeSpec, String> {
        self.child.kill().await.map_err(|error| format!("killing a node: {error}"))?;
        Ok(self.spec)
    }

    /// Tells the node to post to `session`.
    pub async fn order_post(&mut self, session: &str) -> Result<(), String> {
        let Some(stdin) = self.stdin.as_mut() else { return Ok(()) };
        let order = format!("post {session}\n");
        let written = stdin.write_all(order.as_bytes()).await.and(stdin.flush().await);
        written.map_err(|error| format!("telling node n{} to post: {error}", self.spec.index))
    }

    /// Tells the node to stop its producers.
    pub async fn stop_producing(&mut self) -> Result<(), String> {
        let Some(stdin) = self.stdin.as_mut() else { return Ok(()) };
        let written = stdin.write_all(b"stop\n").await.and(stdin.flush().await);
        written.map_err(|error| format!("telling node n{} to stop: {error}", self.spec.index))
    }
}
