//! The client process (`ws-bench clients`): opens its share of the clients, each from its
//! own source address ([`crate::source`]), raw tokio-tungstenite or ReliableClient (each
//! past its WELCOME), prints `connected <n>`, then a `phase` line per phase
//! ([`record::collect`]) until its stdin closes.

use super::record::{self, Recorder};
use crate::args::ServerKind;
use crate::push::CONNECTS_AT_ONCE;
use crate::BenchError;
use futures::{StreamExt, TryStreamExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::Limits;

/// How long a client may take to connect (and, reliable, be welcomed).
const CONNECT_LIMIT: Duration = Duration::from_secs(120);

/// Which clients a process opens, and to what.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct CrowdArgs {
    /// Raw tokio-tungstenite or ReliableClient.
    #[arg(long, value_enum)]
    pub kind: ServerKind,
    /// The server.
    #[arg(long)]
    pub addr: SocketAddr,
    /// Clients to open.
    #[arg(long)]
    pub count: usize,
    /// The index of the first (it picks the source addresses).
    #[arg(long, default_value_t = 0)]
    pub first: usize,
}

impl CrowdArgs {
    /// The command line of a process opening these clients.
    pub fn command_line(&self) -> Vec<String> {
        let kind = crate::idle::kind_arg(self.kind).to_owned();
        let values = [kind, self.addr.to_string(), self.count.to_string(), self.first.to_string()];
        let flags = ["--kind", "--addr", "--count", "--first"].map(str::to_owned);
        let pairs = flags.into_iter().zip(values).flat_map(|pair| [pair.0, pair.1]);
        std::iter::once("clients".to_owned()).chain(pairs).collect()
    }
}

/// Runs the client process until stdin closes.
pub async fn run(args: CrowdArgs) -> Result<(), BenchError> {
    let recording = Recorder::start()?;
    let dial = Dial { args: args.clone(), recorder: Arc::clone(&recording.recorder) };
    let _held_until_the_end = dial.all().await?;
    tokio::select! {
        failed = record::collect(recording, args.count) => failed?,
        () = stdin_closed() => {}
    }
    Ok(())
}

/// Writes `line` to stdout and flushes.
pub async fn say(line: &str) -> Result<(), BenchError> {
    let mut stdout = tokio::io::stdout();
    stdout.write_all(line.as_bytes()).await?;
    Ok(stdout.flush().await?)
}

async fn stdin_closed() {
    let mut sink = tokio::io::sink();
    let _read_until_closed = tokio::io::copy(&mut tokio::io::stdin(), &mut sink).await;
}

/// How a process opens its clients.
struct Dial {
    args: CrowdArgs,
    recorder: Arc<Recorder>,
}

impl Dial {
    /// Every client, a few at a time, then `connected <n>`; the reliable ones to hold.
    async fn all(&self) -> Result<Vec<Option<ReliableClient>>, BenchError> {
        let first = self.args.first;
        let dials = futures::stream::iter(first..first + self.args.count).map(|at| self.timed(at));
        let held: Vec<_> = dials.buffer_unordered(CONNECTS_AT_ONCE).try_collect().await?;
        say(&format!("connected {}\n", held.len())).await?;
        Ok(held)
    }

    async fn timed(&self, index: usize) -> Result<Option<ReliableClient>, BenchError> {
        tokio::time::timeout(CONNECT_LIMIT, self.one(index)).await?
    }

    async fn one(&self, index: usize) -> Result<Option<ReliableClient>, BenchError> {
        match self.args.kind {
            ServerKind::Raw => self.raw(index).await.map(|()| None),
            ServerKind::Reliable => self.reliable(index).await.map(Some),
        }
    }

    /// A raw client, its reader on a task of its own.
    async fn raw(&self, index: usize) -> Result<(), BenchError> {
        let stream = crate::source::dial(self.args.addr, index).await?;
        let url = format!("ws://{}/", self.args.addr);
        let config = Some(Limits::default().websocket_config());
        let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, config).await?;
        let stream = ws.map(|item| item.map_err(BenchError::from));
        drop(tokio::spawn(record::read(stream, Arc::clone(&self.recorder), index)));
        Ok(())
    }

    /// A ReliableClient once welcomed, its reader on a task of its own.
    async fn reliable(&self, index: usize) -> Result<ReliableClient, BenchError> {
        let addr = self.args.addr;
        let url = format!("ws://{addr}/");
        let dial = move || crate::source::dial(addr, index);
        let client = ReliableClient::with_dialer(&url, ClientConfig::default(), dial);
        welcomed(&client).await?;
        let incoming = client.incoming().ok_or(BenchError::Reliable("incoming taken".into()))?;
        drop(tokio::spawn(record::read(incoming.map(Ok), Arc::clone(&self.recorder), index)));
        Ok(client)
    }
}

/// Waits for `client`'s first session.
async fn welcomed(client: &ReliableClient) -> Result<(), BenchError> {
    let mut events = client.events();
    while client.session().is_none() {
        let event = events.recv().await;
        event.map_err(|_| BenchError::Reliable("stopped before its WELCOME".into()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_names_every_field() {
        let args = CrowdArgs {
            kind: ServerKind::Reliable,
            addr: "127.0.0.1:9".parse().unwrap(),
            count: 10,
            first: 20,
        };
        let line = args.command_line();
        assert_eq!(line[..3], ["clients", "--kind", "reliable"]);
        assert_eq!(line[3..], ["--addr", "127.0.0.1:9", "--count", "10", "--first", "20"]);
    }
}
