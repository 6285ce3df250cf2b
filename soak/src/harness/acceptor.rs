//! The soak's own accept loop: every accepted socket is wrapped in the fault injector of
//! the client it belongs to (found by the client's local port) before the WebSocket
//! upgrade, then served by [`ReliableServer::serve_stream_from`](ws_reliability::server::ReliableServer::serve_stream_from) (admitted by the peer's
//! address, as the server's own accept loop does), so faults strike the server's end of the
//! connections too.

use super::shared::lock;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use ws_reliability::fault::{FaultInjector, Pair};
use ws_reliability::server::ReliableServer;

/// Which client each local port belongs to, and the [`Pair`] tying the connection's two
/// wrapped ends; a client notes its port right after connecting, before its upgrade
/// request goes out.
#[derive(Debug, Default)]
pub struct Ports {
    owners: Mutex<HashMap<u16, (usize, Pair)>>,
}

impl Ports {
    /// Notes that `local` is client `index`'s connection tied by `pair` (a reused port gets
    /// its new owner).
    pub fn note(&self, local: SocketAddr, index: usize, pair: &Pair) {
        lock(&self.owners).insert(local.port(), (index, pair.clone()));
    }

    /// The client that connected from `peer`, and the connection's pair.
    pub fn owner(&self, peer: SocketAddr) -> Option<(usize, Pair)> {
        lock(&self.owners).get(&peer.port()).cloned()
    }
}

/// The running accept loop; dropping it stops accepting.
#[derive(Debug)]
pub struct Acceptor {
    local_addr: SocketAddr,
    owners: Owners,
    task: JoinHandle<()>,
}

impl Acceptor {
    /// The address it accepts on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Sockets served without faults: their client was not found (it died before its
    /// upgrade request).
    pub fn unattributed(&self) -> u64 {
        self.owners.unattributed.load(Ordering::Relaxed)
    }

    /// Who owns the sockets it accepts: the clients' ports and server-side injectors.
    pub fn owners(&self) -> &Owners {
        &self.owners
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Every client's server-side injector, by index, and the ports they connect from.
#[derive(Debug, Clone, Default)]
pub struct Owners {
    /// The client ports.
    pub ports: Arc<Ports>,
    injectors: Arc<Mutex<Vec<FaultInjector>>>,
    unattributed: Arc<AtomicU64>,
}

impl Owners {
    /// Takes the clients' server-side injectors, by client index (before they connect).
    pub fn adopt(&self, injectors: &[FaultInjector]) {
        *lock(&self.injectors) = injectors.to_vec();
    }

    /// Serves `stream` from `peer` on its own task.
    fn spawn_serve(&self, server: &ReliableServer, stream: TcpStream, peer: SocketAddr) {
        drop(tokio::spawn(serve(stream, peer, server.clone(), self.clone())));
    }

    /// Counts a socket served without faults.
    fn unattributed(&self, stream: TcpStream) -> TcpStream {
        self.unattributed.fetch_add(1, Ordering::Relaxed);
        stream
    }

    /// The injector for a socket from `peer` and the connection's pair, if its client is
    /// known.
    fn injector(&self, peer: SocketAddr) -> Option<(FaultInjector, Pair)> {
        let (index, pair) = self.ports.owner(peer)?;
        Some((lock(&self.injectors).get(index)?.clone(), pair))
    }
}

/// Binds 127.0.0.1 and serves every accepted socket on its own task.
pub async fn listen(server: &ReliableServer) -> std::io::Result<Acceptor> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let local_addr = listener.local_addr()?;
    let owners = Owners::default();
    let task = tokio::spawn(accept_loop(listener, server.clone(), owners.clone()));
    Ok(Acceptor { local_addr, owners, task })
}

async fn accept_loop(listener: TcpListener, server: ReliableServer, owners: Owners) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => owners.spawn_serve(&server, stream, peer),
            // Out of file descriptors, say: the clients see it as failed connects.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Waits for the upgrade request (its client noted its port before sending it), wraps the
/// socket in that client's server-side injector, and serves it.
async fn serve(stream: TcpStream, peer: SocketAddr, server: ReliableServer, owners: Owners) {
    let _nodelay_is_an_optimisation = stream.set_nodelay(true);
    // `readable` may wake before a byte is there; `peek` waits for the request (or EOF).
    let _request_or_eof = stream.peek(&mut [0; 1]).await;
    match owners.injector(peer) {
        Some((injector, pair)) => {
            server.serve_stream_from(injector.wrap_paired(stream, &pair), peer).await
        }
        None => server.serve_stream_from(owners.unattributed(stream), peer).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_names_its_latest_client() {
        let ports = Ports::default();
        let (first, second) =
            ("127.0.0.1:40001".parse().unwrap(), "127.0.0.1:40002".parse().unwrap());
        let index = |peer| ports.owner(peer).map(|(index, _)| index);
        ports.note(first, 7, &Pair::new());
        ports.note(second, 8, &Pair::new());
        assert_eq!((index(first), index(second)), (Some(7), Some(8)));
        ports.note(first, 9, &Pair::new());
        assert_eq!(index(first), Some(9));
        assert!(ports.owner("127.0.0.1:40003".parse().unwrap()).is_none());
        assert!(Owners::default().injector(first).is_none(), "no injector adopted yet");
    }
}
