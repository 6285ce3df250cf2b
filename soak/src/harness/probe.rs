//! The server's own memory: a `ws-soak --serve-idle` child process runs a bare
//! [`ReliableServer`], the parent connects the run's number of clients to it, and the
//! child's resident set before and after gives the server's memory per idle connection and
//! its peak, without the clients' memory mixed in.
//!
//! The child speaks a line protocol: it prints its address, then answers each line on its
//! stdin with `<VmRSS bytes> <VmHWM bytes> <registered connections>`.

use crate::memory::{per_connection, Resident};
use crate::report::Report;
use crate::SoakError;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use ws_reliability::client::ReliableClient;
use ws_reliability::server::Listen;
use ws_reliability::server::{ReliableServer, ServerConfig};

/// How long the idle clients have to connect to the child.
const CONNECT_LIMIT: Duration = Duration::from_secs(120);

/// The server's memory with the run's connections idle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerMemory {
    /// Peak resident set of the server process, bytes.
    pub peak_rss_bytes: u64,
    /// Resident set growth per idle connection, bytes.
    pub per_connection_bytes: u64,
}

impl ServerMemory {
    /// `report` with these figures in its resources.
    pub fn into_report(self, mut report: Report) -> Report {
        let resources = report.resources;
        report.resources = resources.with_server(self.peak_rss_bytes, self.per_connection_bytes);
        report
    }
}

/// One answer of the child: resident set, peak, connections registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// VmRSS, bytes.
    pub rss: u64,
    /// VmHWM, bytes.
    pub peak: u64,
    /// Connections in the server's registry.
    pub connections: usize,
}

impl Reading {
    /// Parses `<rss> <peak> <connections>`.
    pub fn parse(line: &str) -> Option<Reading> {
        let mut fields = line.split_whitespace();
        let rss = fields.next()?.parse().ok()?;
        let peak = fields.next()?.parse().ok()?;
        Some(Reading { rss, peak, connections: fields.next()?.parse().ok()? })
    }

    /// The line that [`parse`](Self::parse) reads.
    pub fn line(&self) -> String {
        format!("{} {} {}\n", self.rss, self.peak, self.connections)
    }
}

/// The child's side: serves on 127.0.0.1, prints the address, answers readings until its
/// stdin closes.
pub async fn serve_idle() -> Result<(), SoakError> {
    let server = ReliableServer::new(idle_config());
    let listener = server.listen("127.0.0.1:0").await?;
    let mut parent = Parent::new();
    parent.reply(&format!("{}\n", listener.local_addr())).await?;
    while parent.asks().await? {
        parent.reply(&reading_line(&server)).await?;
    }
    Ok(())
}

/// The defaults, with the soak's per-address limits (every client is on 127.0.0.1), as a
/// hub (`IncomingMode::Shared`): nobody reads, nothing is accepted.
fn idle_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.conn.limits.per_address = super::address_limits();
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config
}

/// `<VmRSS> <VmHWM> <connections>` of this process and `server`.
fn reading_line(server: &ReliableServer) -> String {
    let resident = Resident::now();
    let connections = server.registry().len();
    Reading { rss: resident.current, peak: resident.peak, connections }.line()
}

/// The child's pipes to the parent: a line in asks for a reading, a line out answers.
struct Parent {
    stdout: tokio::io::Stdout,
    lines: Lines<BufReader<tokio::io::Stdin>>,
}

impl Parent {
    fn new() -> Self {
        Parent { stdout: tokio::io::stdout(), lines: BufReader::new(tokio::io::stdin()).lines() }
    }

    /// Waits for the parent's next line; `false` once its end of the pipe closed.
    async fn asks(&mut self) -> Result<bool, SoakError> {
        Ok(self.lines.next_line().await.map_err(io)?.is_some())
    }

    async fn reply(&mut self, line: &str) -> Result<(), SoakError> {
        self.stdout.write_all(line.as_bytes()).await.map_err(io)?;
        self.stdout.flush().await.map_err(io)
    }
}

fn io(source: std::io::Error) -> SoakError {
    SoakError::Probe(source.to_string())
}

/// The parent's side: the server's memory with `connections` idle clients.
pub async fn measure(connections: usize) -> Result<ServerMemory, SoakError> {
    let mut child = Probe::spawn()?;
    let addr = child.line().await?;
    let baseline = child.reading().await?;
    let clients = connect(&addr, connections)?;
    let loaded = child.settled(connections).await?;
    futures::future::join_all(clients.into_iter().map(ReliableClient::shutdown)).await;
    let per_connection_bytes = per_connection(baseline.rss, loaded.rss, connections);
    Ok(ServerMemory { peak_rss_bytes: loaded.peak, per_connection_bytes })
}

fn connect(addr: &str, connections: usize) -> Result<Vec<ReliableClient>, SoakError> {
    let url = format!("ws://{addr}/idle");
    let client = |_| ReliableClient::start(&url, super::clients::client_config());
    (0..connections).map(client).collect::<Result<_, _>>().map_err(SoakError::from)
}

/// The child process and its pipes (killed when dropped).
struct Probe {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Probe {
    fn spawn() -> Result<Probe, SoakError> {
        let exe = std::env::current_exe().map_err(io)?;
        let mut command = Command::new(exe);
        command.arg("--serve-idle").stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true);
        let mut child = command.spawn().map_err(io)?;
        let no_pipe = || SoakError::Probe("no pipes".into());
        let stdin = child.stdin.take().ok_or_else(no_pipe)?;
        let stdout = child.stdout.take().ok_or_else(no_pipe)?;
        Ok(Probe { _child: child, stdin, lines: BufReader::new(stdout).lines() })
    }

    async fn line(&mut self) -> Result<String, SoakError> {
        let line = self.lines.next_line().await.map_err(io)?;
        line.ok_or_else(|| SoakError::Probe("the server process ended".into()))
    }

    async fn reading(&mut self) -> Result<Reading, SoakError> {
        self.stdin.write_all(b"rss\n").await.map_err(io)?;
        let line = self.line().await?;
        Reading::parse(&line).ok_or_else(|| SoakError::Probe(format!("unreadable `{line}`")))
    }

    /// Readings every 50 ms until `connections` are registered.
    async fn settled(&mut self, connections: usize) -> Result<Reading, SoakError> {
        let started = tokio::time::Instant::now();
        loop {
            let reading = self.reading().await?;
            if reading.connections >= connections || started.elapsed() > CONNECT_LIMIT {
                return Ok(reading);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_parse() {
        let reading = Reading { rss: 10, peak: 20, connections: 3 };
        assert_eq!(Reading::parse("10 20 3"), Some(reading));
        assert_eq!(Reading::parse("10 20"), None);
        assert_eq!(Reading::parse("ten 20 3"), None);
    }
}
