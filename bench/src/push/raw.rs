//! Raw tokio-tungstenite 0.30 with its default configuration: one server connection per
//! client, `feed` of every message and a `flush` every [`FLUSH_EVERY`] messages.

use super::{Pace, Throughput, CONNECTS_AT_ONCE, FLUSH_EVERY, SETUP_LIMIT};
use crate::args::Workload;
use crate::payload;
use crate::BenchError;
use futures::{SinkExt, StreamExt, TryStreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A server's end of a connection.
pub type ServerSide = WebSocketStream<TcpStream>;
/// A client's end of a connection.
pub type ClientSide = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// A task counting messages.
type Counting = JoinHandle<Result<u64, BenchError>>;

/// Connects `clients` clients, then times the push of `workload` to each.
pub async fn run(clients: usize, workload: Workload) -> Result<Throughput, BenchError> {
    let (servers, clients) = setup(clients).await?;
    measure(servers, clients, workload).await
}

/// `clients` connections over loopback, the server's ends and the clients' ends.
pub async fn setup(clients: usize) -> Result<(Vec<ServerSide>, Vec<ClientSide>), BenchError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr()?);
    let setup = futures::future::try_join(accept(&listener, clients), connect(&url, clients));
    tokio::time::timeout(SETUP_LIMIT, setup).await?
}

/// Times the push of `workload` from every server side to its client.
async fn measure(
    servers: Vec<ServerSide>,
    clients: Vec<ClientSide>,
    workload: Workload,
) -> Result<Throughput, BenchError> {
    let started = super::Start::now();
    let receivers = clients.into_iter().map(spawn_receiver).collect();
    let pace = Pace::new(workload, started.at);
    let senders = servers.into_iter().map(|ws| tokio::spawn(push(ws, pace))).collect();
    super::finish(started, receivers, senders, workload).await
}

/// Accepts `count` connections and completes their handshakes with the default config.
async fn accept(listener: &TcpListener, count: usize) -> Result<Vec<ServerSide>, BenchError> {
    let mut servers = Vec::with_capacity(count);
    while servers.len() < count {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        servers.push(tokio_tungstenite::accept_async(stream).await?);
    }
    Ok(servers)
}

/// Opens `count` client connections to `url`, a few at a time.
async fn connect(url: &str, count: usize) -> Result<Vec<ClientSide>, BenchError> {
    let dial = |_| async move { Ok(tokio_tungstenite::connect_async(url).await?.0) };
    let dials = futures::stream::iter(0..count).map(dial);
    dials.buffer_unordered(CONNECTS_AT_ONCE).try_collect().await
}

/// Reads and checks the messages `ws` receives, on a task of its own.
pub fn spawn_receiver<S>(ws: WebSocketStream<S>) -> Counting
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(super::receive(ws.map(|item| item.map_err(BenchError::from))))
}

/// Feeds messages while `pace` says so, then the end marker; how many were sent.
pub async fn push<S>(mut ws: WebSocketStream<S>, pace: Pace) -> Result<u64, BenchError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut sent = 0;
    while pace.more(sent) {
        feed(&mut ws, sent).await?;
        sent += 1;
    }
    ws.send(payload::end()).await?;
    Ok(sent)
}

/// Feeds message `index`, flushing after every [`FLUSH_EVERY`].
async fn feed<S>(ws: &mut WebSocketStream<S>, index: u64) -> Result<(), BenchError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    ws.feed(payload::data(index)).await?;
    if (index + 1) % FLUSH_EVERY == 0 {
        ws.flush().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_client_receives_every_message() {
        let throughput = run(3, Workload::Messages(FLUSH_EVERY + 7)).await.unwrap();
        assert_eq!(throughput.delivered, 3 * (FLUSH_EVERY + 7));
        assert!(throughput.seconds > 0.0);
    }

    #[tokio::test]
    async fn a_timed_run_counts_what_it_pushed() {
        let timed = Workload::Duration(std::time::Duration::from_secs(1));
        assert!(run(2, timed).await.unwrap().delivered > 0);
    }
}
