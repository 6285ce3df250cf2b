//! Hostile handshakes: HTTP upgrade requests sent in half and held until the window ends
//! ([`Kind::HalfUpgrade`]: with the child's 1 024 open files, enough of them reach its
//! EMFILE), and upgrades that never send HELLO, held until the server closes them
//! ([`Kind::NoHello`]: the protocol says 4002 after 10 s).

use super::{refused, Ctx, Kind};
use crate::net::{close_of, tcp, upgrade};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Concurrent senders of half upgrades.
const HALF_WORKERS: usize = 128;
/// Concurrent silent upgrades.
const NO_HELLO_WORKERS: usize = 64;
/// How long a silent upgrade waits for the server's close (its hello timeout is 10 s).
const NO_HELLO_WAIT: Duration = Duration::from_secs(12);
/// The first half of an upgrade request: no blank line ends it.
pub const HALF_REQUEST: &[u8] =
    b"GET /attack HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";

/// Runs `kind` until `until`.
pub async fn run(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    let half = kind == Kind::HalfUpgrade;
    let workers = if half { HALF_WORKERS } else { NO_HELLO_WORKERS };
    let spawn = |_| tokio::spawn(worker(half, ctx.clone(), count.clone(), until));
    futures::future::join_all((0..workers).map(spawn).collect::<Vec<_>>()).await;
}

async fn worker(half: bool, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    if half {
        half_sender(&ctx, &count, until).await;
        return;
    }
    while Instant::now() < until {
        no_hello(&ctx, &count).await;
    }
}

/// Sends half upgrades until `until`, holding each; then tallies which the server closed.
async fn half_sender(ctx: &Ctx, count: &AtomicU64, until: Instant) {
    let mut held = Vec::new();
    while Instant::now() < until {
        match half_upgrade(ctx).await {
            Ok(stream) => held.push(stream),
            Err(label) => refused(ctx, Kind::HalfUpgrade, &label).await,
        }
    }
    settle(ctx, count, &held);
}

/// Counts the held connections and tallies which the server closed.
fn settle(ctx: &Ctx, count: &AtomicU64, held: &[TcpStream]) {
    count.fetch_add(held.len() as u64, Ordering::Relaxed);
    held.iter().for_each(|stream| ctx.tally.count("half_sent_upgrades", state(stream)));
}

/// A connection with [`HALF_REQUEST`] written, or the label of its failure.
async fn half_upgrade(ctx: &Ctx) -> Result<TcpStream, String> {
    let mut stream = tcp(ctx.sources.next(), ctx.server).await?;
    stream.write_all(HALF_REQUEST).await.map_err(|_| "write_error")?;
    Ok(stream)
}

/// `closed_by_server` when the server ended a held connection, `open` otherwise.
fn state(stream: &TcpStream) -> &'static str {
    let mut buffer = [0u8; 512];
    match stream.try_read(&mut buffer) {
        Ok(_) => "closed_by_server",
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => "open",
        Err(_) => "reset",
    }
}

/// One upgrade that never sends HELLO, counted, held until the server closes it.
async fn no_hello(ctx: &Ctx, count: &AtomicU64) {
    match upgrade(ctx.sources.next(), ctx.server).await {
        Ok(mut ws) => {
            count.fetch_add(1, Ordering::Relaxed);
            ctx.tally.count("no_hello", &close_of(&mut ws, NO_HELLO_WAIT).await);
        }
        Err(label) => refused(ctx, Kind::NoHello, &label).await,
    }
}
