//! The child's side of the memory probe: a raw tokio-tungstenite server (256 B read and
//! 4 KiB write buffers, the same
//! [`WebSocketConfig`](tokio_tungstenite::tungstenite::protocol::WebSocketConfig) as
//! ReliableServer's) or a ReliableServer with its defaults, on 127.0.0.1; it prints its
//! address and answers each stdin line with a [`Reading`] until stdin closes.

use super::Reading;
use crate::args::ServerKind;
use crate::BenchError;
use futures::StreamExt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use ws_reliability::protocol::Limits;
use ws_reliability::server::Listen;
use ws_reliability::server::{Listener, ReliableServer, ServerConfig};

/// Connections admitted per second and in a burst by the reliable probe server, instead of
/// ws-conn's 500/s guard, so 10 000 connections open in seconds (memory is unaffected).
const ACCEPT_RATE: u32 = 1_000_000;

/// A running probe server.
enum Server {
    /// tokio-tungstenite: its address and the handshaken connections (the accept loop
    /// runs until the process ends).
    Raw(SocketAddr, Arc<AtomicUsize>),
    /// ReliableServer and its accept loop.
    Reliable(ReliableServer, Listener),
}

impl Server {
    async fn start(kind: ServerKind, capacity: Option<usize>) -> Result<Server, BenchError> {
        match kind {
            ServerKind::Raw => start_raw().await,
            ServerKind::Reliable => start_reliable(capacity).await,
        }
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Server::Raw(addr, ..) => *addr,
            Server::Reliable(_, listener) => listener.local_addr(),
        }
    }

    fn connections(&self) -> usize {
        match self {
            Server::Raw(_, count) => count.load(Ordering::Relaxed),
            Server::Reliable(server, _) => server.sessions().len(),
        }
    }
}

/// Runs the `kind` probe server until stdin closes: with a `capacity`, a reliable one has
/// [`many_config`](crate::limits::many_config)'s admission limits.
pub async fn serve(kind: ServerKind, capacity: Option<usize>) -> Result<(), BenchError> {
    let server = Server::start(kind, capacity).await?;
    let mut stdout = tokio::io::stdout();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    reply(&mut stdout, &format!("{}\n", server.addr())).await?;
    while lines.next_line().await?.is_some() {
        reply(&mut stdout, &reading(&server).line()).await?;
    }
    Ok(())
}

fn reading(server: &Server) -> Reading {
    let rss = ws_soak::memory::current_rss();
    let peak = ws_soak::memory::peak_rss();
    Reading { rss, peak, connections: server.connections() }
}

async fn reply(stdout: &mut tokio::io::Stdout, line: &str) -> Result<(), BenchError> {
    stdout.write_all(line.as_bytes()).await?;
    Ok(stdout.flush().await?)
}

/// ReliableServer's defaults with no per-address limit ([`server_config`](crate::limits::server_config)),
/// with room for any number of connections admitted at once (and any number of upgrades in
/// progress: the probe opens them all together).
pub fn reliable_config() -> ServerConfig {
    let mut config = crate::limits::server_config();
    let limits = &mut config.conn.limits;
    limits.max_connections = usize::MAX;
    (limits.accept_burst, limits.accept_per_second) = (ACCEPT_RATE, ACCEPT_RATE);
    limits.handshake.max_in_progress = usize::MAX;
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared; // idle: nobody reads
    config
}

async fn start_reliable(capacity: Option<usize>) -> Result<Server, BenchError> {
    let config = capacity.map_or_else(reliable_config, crate::limits::many_config);
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await?;
    Ok(Server::Reliable(server, listener))
}

async fn start_raw() -> Result<Server, BenchError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let count = Arc::new(AtomicUsize::new(0));
    drop(tokio::spawn(accept_loop(listener, Arc::clone(&count))));
    Ok(Server::Raw(addr, count))
}

async fn accept_loop(listener: TcpListener, count: Arc<AtomicUsize>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => drop(tokio::spawn(hold(stream, Arc::clone(&count)))),
            Err(_out_of_files_or_aborted) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Serves one raw connection: reads (nothing comes) until it ends.
async fn hold(stream: TcpStream, count: Arc<AtomicUsize>) {
    let _nodelay_is_an_optimisation = stream.set_nodelay(true);
    let config = Some(Limits::default().server_websocket_config());
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, config).await else {
        return;
    };
    count.fetch_add(1, Ordering::Relaxed);
    while let Some(Ok(_)) = ws.next().await {}
    count.fetch_sub(1, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idle::connect;

    #[test]
    fn the_reliable_probe_admits_every_connection_at_once() {
        let limits = reliable_config().conn.limits;
        assert_eq!((limits.max_connections, limits.accept_per_second), (usize::MAX, ACCEPT_RATE));
        assert_eq!(limits.handshake.max_in_progress, usize::MAX);
        assert_eq!(limits.per_address, ws_reliability::conn::AddressLimits::unlimited());
    }

    #[tokio::test]
    async fn servers_count_their_idle_connections() {
        for kind in [ServerKind::Raw, ServerKind::Reliable] {
            let server = Server::start(kind, Some(10)).await.unwrap();
            let held = connect::open(kind, &server.addr().to_string(), 3).await.unwrap();
            while server.connections() < 3 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert!(reading(&server).rss > 0 && held.len() == 3 && !held.is_empty());
            held.close().await;
        }
    }
}
