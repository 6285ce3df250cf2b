//! The server's own accept loop, [`Listen`]: binds, accepts, pauses after an error of the
//! listener, and hands each socket to the sessions' handshake
//! (`SessionServer::serve_owned_stream`).

use super::transport::Transport;
use super::SessionServer;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpSocket, ToSocketAddrs};
use tokio::task::JoinHandle;
use ws_conn::AcceptBackoff;

/// A running accept loop; dropping it (or [`Listener::stop`]) stops accepting. Connections
/// already accepted go on.
#[derive(Debug)]
pub struct Listener {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Listener {
    /// The address the loop accepts on (the real port after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting.
    pub fn stop(self) {}
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How many connections the kernel queues for the accept loop. Every client of a node
/// that died reconnects to its replacement at once: tokio's default of 1024 overflowed in
/// a storm of 1000 resumes (`docs/learnings.md` § 16), and each dropped SYN came back only
/// after TCP's 1 s retransmission. Linux caps it at `net.core.somaxconn` (4096 by default).
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds the first of `addr`'s addresses that binds, with [`LISTEN_BACKLOG`] (and
/// `SO_REUSEADDR`, as tokio's own bind sets it).
async fn bind(addr: impl ToSocketAddrs) -> std::io::Result<TcpListener> {
    let mut last = std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to bind");
    for addr in tokio::net::lookup_host(addr).await? {
        match bind_one(addr) {
            Ok(listener) => return Ok(listener),
            Err(error) => last = error,
        }
    }
    Err(last)
}

fn bind_one(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The facade's accept loop on a [`ReliableServer`](super::ReliableServer) (ws-session's
/// [`SessionServer`]): `use ws_reliability::server::Listen;` to call `server.listen(addr)`.
/// Sealed: implemented for [`SessionServer`] only.
pub trait Listen: sealed::Sealed {
    /// Binds `addr` and accepts connections on a background task, each served by
    /// [`serve_stream_from`](SessionServer::serve_stream_from) on its own task.
    fn listen(
        &self,
        addr: impl ToSocketAddrs + Send,
    ) -> impl Future<Output = Result<Listener, crate::Error>> + Send;

    /// Like [`listen`](Self::listen), over TLS: the same accept loop, each accepted socket
    /// going through the TLS handshake (within `tls`'s handshake timeout) before the
    /// WebSocket handshake. Clients connect to `wss://`. A failed handshake drops the
    /// socket and is counted in `ws_reliability_tls_failures_total{side="server",kind}`.
    ///
    /// ```no_run
    /// # async fn example(server: ws_reliability::server::ReliableServer) -> Result<(), ws_reliability::Error> {
    /// use ws_reliability::server::Listen;
    /// use ws_reliability::tls::TlsConfig;
    /// let tls = TlsConfig::from_pem_files("fullchain.pem", "key.pem")?;
    /// let listener = server.listen_tls("0.0.0.0:443", tls).await?;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    fn listen_tls(
        &self,
        addr: impl ToSocketAddrs + Send,
        tls: crate::tls::TlsConfig,
    ) -> impl Future<Output = Result<Listener, crate::Error>> + Send;
}

/// Only ws-session's `SessionServer` listens: the trait is the facade's part of its API.
mod sealed {
    /// The one type implementing [`Listen`](super::Listen).
    pub trait Sealed {}

    impl Sealed for super::SessionServer {}
}

impl Listen for SessionServer {
    fn listen(
        &self,
        addr: impl ToSocketAddrs + Send,
    ) -> impl Future<Output = Result<Listener, crate::Error>> + Send {
        Listener::start(self.clone(), addr, Transport::Plain)
    }

    #[cfg(feature = "tls")]
    fn listen_tls(
        &self,
        addr: impl ToSocketAddrs + Send,
        tls: crate::tls::TlsConfig,
    ) -> impl Future<Output = Result<Listener, crate::Error>> + Send {
        Listener::start(self.clone(), addr, Transport::Tls(tls))
    }
}

impl Listener {
    /// Binds `addr` and runs the accept loop of `server`, each socket served over
    /// `transport`.
    async fn start(
        server: SessionServer,
        addr: impl ToSocketAddrs,
        transport: Transport,
    ) -> Result<Listener, crate::Error> {
        let listener = bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let backoff = AcceptBackoff::default();
        let task = tokio::spawn(AcceptLoop { server, listener, transport, backoff }.run());
        Ok(Listener { local_addr, task })
    }
}

/// What the accept loop's task holds: the sessions it feeds, its socket, how each accepted
/// socket is served, and its pause after errors.
struct AcceptLoop {
    server: SessionServer,
    listener: TcpListener,
    transport: Transport,
    backoff: AcceptBackoff,
}

impl AcceptLoop {
    /// Accepts until stopped; after an error of the listener (EMFILE, ENFILE) it pauses,
    /// 1 ms doubling up to 1 s, instead of spinning.
    async fn run(mut self) {
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) => self.accepted(stream, peer),
                Err(error) => self.failed(&error).await,
            }
        }
    }

    /// Serves `stream` on a task of its own.
    fn accepted(&mut self, stream: tokio::net::TcpStream, peer: SocketAddr) {
        self.backoff.reset();
        let _nodelay_is_an_optimisation = stream.set_nodelay(true);
        drop(tokio::spawn(self.transport.serve(self.server.clone(), stream, peer)));
    }

    /// Counts an accept error and waits out the pause it calls for.
    async fn failed(&mut self, error: &std::io::Error) {
        crate::metrics::accept_failed();
        self.backoff.pause(error).await;
    }
}

#[cfg(test)]
mod tests {
    use super::{bind, LISTEN_BACKLOG};

    /// More connections than tokio's default backlog (1024) wait in the kernel's queue
    /// while nothing accepts: with it, the extra SYNs were dropped and those connects hung.
    #[tokio::test]
    async fn a_storm_of_connections_waits_in_the_accept_queue() {
        let listener = bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let storm = (0..1100).map(|_| tokio::net::TcpStream::connect(addr));
        let connected = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            futures::future::try_join_all(storm),
        );
        assert_eq!(connected.await.unwrap().unwrap().len(), 1100, "backlog {LISTEN_BACKLOG}");
    }
}
