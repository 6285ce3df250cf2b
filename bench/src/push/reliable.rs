//! ReliableServer → ReliableClient with their default configurations (wsr.v1, sequence
//! numbers, outbox, batched acks): one sender task per session feeding the session's
//! [`SessionSink`](ws_reliability::server::SessionSink) ([`ReliableServer::sink`](ws_reliability::server::ReliableServer::sink)), whose
//! `feed` waits while the outbox is full; each client reads [`ReliableClient::incoming`].

use super::{Pace, Throughput, CONNECTS_AT_ONCE, SETUP_LIMIT};
use crate::args::Workload;
use crate::payload;
use crate::BenchError;
use futures::{SinkExt, StreamExt, TryStreamExt};
use std::time::Duration;
use tokio::task::JoinHandle;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::SessionId;
use ws_reliability::server::Listen;
use ws_reliability::server::ReliableServer;

/// A task counting messages.
type Counting = JoinHandle<Result<u64, BenchError>>;

/// A client with the session the server gave it.
#[derive(Debug)]
pub struct Connected {
    /// The client.
    pub client: ReliableClient,
    /// Its session.
    pub session: SessionId,
}

/// Connects `clients` clients, then times the push of `workload` to each.
pub async fn run(clients: usize, workload: Workload) -> Result<Throughput, BenchError> {
    let server = ReliableServer::new(crate::limits::server_config());
    let listener = server.listen("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr());
    let connected = tokio::time::timeout(SETUP_LIMIT, connect(&url, clients)).await??;
    let throughput = measure(&server, &connected, workload).await;
    close(&server, connected).await;
    throughput
}

async fn measure(
    server: &ReliableServer,
    connected: &[Connected],
    workload: Workload,
) -> Result<Throughput, BenchError> {
    let started = super::Start::now();
    let receivers = connected.iter().map(spawn_receiver).collect::<Result<_, _>>()?;
    let pace = Pace::new(workload, started.at);
    let push = |one: &Connected| tokio::spawn(push(server.clone(), one.session, pace));
    let senders = connected.iter().map(push).collect();
    super::finish(started, receivers, senders, workload).await
}

/// Opens `count` clients to `url`, a few at a time, each once its WELCOME came.
pub async fn connect(url: &str, count: usize) -> Result<Vec<Connected>, BenchError> {
    let dials = futures::stream::iter(0..count).map(|_| connect_one(url));
    dials.buffer_unordered(CONNECTS_AT_ONCE).try_collect().await
}

async fn connect_one(url: &str) -> Result<Connected, BenchError> {
    let client = ReliableClient::connect(url, ClientConfig::default()).await?;
    let session = client.session().ok_or(BenchError::Reliable("no session".into()))?;
    Ok(Connected { client, session })
}

/// Reads and checks the messages `connected` receives, on a task of its own.
pub fn spawn_receiver(connected: &Connected) -> Result<Counting, BenchError> {
    let incoming = connected.client.incoming();
    let incoming = incoming.ok_or_else(|| BenchError::Reliable("incoming taken".into()))?;
    Ok(tokio::spawn(super::receive(incoming.map(Ok))))
}

/// Feeds messages into the session's sink while `pace` says so (each `feed` waits while
/// the outbox is full), then sends the end marker, which flushes; how many were sent.
async fn push(server: ReliableServer, session: SessionId, pace: Pace) -> Result<u64, BenchError> {
    let mut sink = server.sink(session)?;
    let mut sent = 0;
    while pace.more(sent) {
        sink.feed(payload::data(sent)).await?;
        sent += 1;
    }
    sink.send(payload::end()).await?;
    Ok(sent)
}

/// Shuts the clients down, then the server.
pub async fn close(server: &ReliableServer, connected: Vec<Connected>) {
    let clients = connected.into_iter().map(|one| one.client.shutdown());
    futures::future::join_all(clients).await;
    server.shutdown(Duration::from_millis(200)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_client_receives_every_message() {
        let throughput = run(3, Workload::Messages(3000)).await.unwrap();
        assert_eq!(throughput.delivered, 9000);
    }

    #[tokio::test]
    async fn a_timed_run_counts_what_it_pushed() {
        let timed = Workload::Duration(Duration::from_secs(1));
        assert!(run(2, timed).await.unwrap().delivered > 0);
    }
}
