//! `ws-attack serve`: the server child. A `ReliableServer` with `ServerConfig::default()`
//! (a hub: `incoming.mode = Shared`), its soft open-file limit lowered, broadcasting 64 B
//! every 5 ms to every session and echoing each `ping …` text to its session, until its
//! stdin closes.

use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use ws_reliability::server::Listen;
use ws_reliability::server::{IncomingMode, ReliableServer, ServerConfig, Target};
use ws_reliability::Message;

/// The application's push: 64 bytes every 5 ms to every session.
pub const PUSH_EVERY: Duration = Duration::from_millis(5);
/// The size of one pushed message.
pub const PUSH_BYTES: usize = 64;
/// The prefix of the bystander's messages, the only ones echoed.
pub const PING: &str = "ping ";

/// The server's configuration: the defaults, as a hub.
pub fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.incoming.mode = IncomingMode::Shared;
    config
}

/// Runs the child: lowers the soft open-file limit to `nofile`, serves on 127.0.0.1, prints
/// the address, and returns once stdin closes.
pub async fn serve(nofile: u64) -> Result<(), String> {
    lower_open_files(nofile)?;
    let server = ReliableServer::new(config());
    let listener = server.listen("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    announce(&listener.local_addr().to_string()).await?;
    let peak = OutboxPeak::watch(&server);
    start(server);
    wait_for_stdin_to_close().await?;
    announce(&peak.line()).await
}

/// Lowers this process's soft open-file limit to `nofile` (at most the hard limit).
fn lower_open_files(nofile: u64) -> Result<(), String> {
    let hard = rlimit::getrlimit(rlimit::Resource::NOFILE).map_err(|e| e.to_string())?.1;
    rlimit::setrlimit(rlimit::Resource::NOFILE, nofile.min(hard), hard).map_err(|e| e.to_string())
}

/// The most bytes the server's outboxes held together, sampled every 10 ms (the server's
/// own count, `ReliableServer::outbox_bytes`, against `sessions.budget.max_outbox_bytes`).
struct OutboxPeak {
    peak: Arc<AtomicUsize>,
    budget: usize,
}

impl OutboxPeak {
    fn watch(server: &ReliableServer) -> Self {
        let peak = Arc::new(AtomicUsize::new(0));
        tokio::spawn(sample(server.clone(), Arc::clone(&peak)));
        OutboxPeak { peak, budget: config().sessions.budget.max_outbox_bytes }
    }

    /// `outbox_bytes PEAK BUDGET`: the child's last stdout line.
    fn line(&self) -> String {
        format!("outbox_bytes {} {}", self.peak.load(Ordering::Relaxed), self.budget)
    }
}

async fn sample(server: ReliableServer, peak: Arc<AtomicUsize>) {
    let mut every = tokio::time::interval(Duration::from_millis(10));
    loop {
        every.tick().await;
        peak.fetch_max(server.outbox_bytes(), Ordering::Relaxed);
    }
}

/// The application: the push and the echo.
fn start(server: ReliableServer) {
    tokio::spawn(push(server.clone()));
    tokio::spawn(echo(server));
}

async fn announce(addr: &str) -> Result<(), String> {
    let mut stdout = tokio::io::stdout();
    stdout.write_all(format!("{addr}\n").as_bytes()).await.map_err(|e| e.to_string())?;
    stdout.flush().await.map_err(|e| e.to_string())
}

async fn wait_for_stdin_to_close() -> Result<(), String> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while lines.next_line().await.map_err(|e| e.to_string())?.is_some() {}
    Ok(())
}

/// Broadcasts [`PUSH_BYTES`] every [`PUSH_EVERY`] to every live session.
async fn push(server: ReliableServer) {
    let mut every = tokio::time::interval(PUSH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        server.broadcast(Target::All, Message::binary(vec![0x2a; PUSH_BYTES]));
    }
}

/// Reads every session's messages; sends each `ping …` text back to its session.
async fn echo(server: ReliableServer) {
    let Some(mut incoming) = server.incoming() else { return };
    while let Some((session, message)) = incoming.next().await {
        if message.to_text().is_ok_and(|text| text.starts_with(PING)) {
            let _refused = server.send(session, message);
        }
    }
}
