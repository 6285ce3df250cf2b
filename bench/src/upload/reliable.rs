//! ReliableClient → ReliableServer upload with their default configurations: one sender
//! task per client feeding the client's sink ([`ReliableClient::sink`]), whose `feed` waits
//! while the outbox is full. The server reads each session's stream
//! ([`ReliableServer::incoming_of`](ws_reliability::server::ReliableServer::incoming_of),
//! [`IncomingMode::PerSession`]) on a task of its own and checks it in order, as the raw
//! side reads each connection on a task of its own. (Until issue 20 one task read every
//! session from the shared stream, checking each message against a map of sessions: a
//! hub's workload, not raw's.)

use crate::args::Workload;
use crate::push::reliable::{connect, Connected};
use crate::push::{self, Pace, Start, Throughput, SETUP_LIMIT};
use crate::{payload, BenchError};
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use ws_reliability::client::ReliableClient;
use ws_reliability::server::Listen;
use ws_reliability::server::{IncomingMode, ReliableServer};

/// Connects `clients` clients, then times the upload of `workload` from each.
pub async fn run(clients: usize, workload: Workload) -> Result<Throughput, BenchError> {
    let server = ReliableServer::new(per_session_config());
    let listener = server.listen("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr());
    let clients = shared(tokio::time::timeout(SETUP_LIMIT, connect(&url, clients)).await??);
    let throughput = measure(&server, &clients, workload).await;
    close(&server, clients).await;
    throughput
}

/// The bench's server configuration, each session's messages in a stream of its own.
fn per_session_config() -> ws_reliability::server::ServerConfig {
    let mut config = crate::limits::server_config();
    config.incoming.mode = IncomingMode::PerSession;
    config
}

/// The clients, each shared with its sender task.
fn shared(connected: Vec<Connected>) -> Vec<Arc<ReliableClient>> {
    connected.into_iter().map(|one| Arc::new(one.client)).collect()
}

async fn measure(
    server: &ReliableServer,
    clients: &[Arc<ReliableClient>],
    workload: Workload,
) -> Result<Throughput, BenchError> {
    let started = Start::now();
    let receive = |client: &Arc<ReliableClient>| spawn_receiver(server, client);
    let receivers = clients.iter().map(receive).collect::<Result<_, _>>()?;
    let pace = Pace::new(workload, started.at);
    let upload = |client: &Arc<_>| tokio::spawn(upload(Arc::clone(client), pace));
    let senders = clients.iter().map(upload).collect();
    push::finish(started, receivers, senders, workload).await
}

/// Reads and checks the messages `client`'s session delivers to the server, on a task of
/// its own.
fn spawn_receiver(
    server: &ReliableServer,
    client: &ReliableClient,
) -> Result<JoinHandle<Result<u64, BenchError>>, BenchError> {
    let session = client.session().ok_or(BenchError::Reliable("no session".into()))?;
    let incoming = server.incoming_of(session);
    let incoming = incoming.ok_or_else(|| BenchError::Reliable("no session stream".into()))?;
    Ok(tokio::spawn(push::receive(incoming.map(Ok))))
}

/// Feeds messages into the client's sink while `pace` says so (each `feed` waits while the
/// outbox is full), then sends the end marker, which flushes; how many were sent.
async fn upload(client: Arc<ReliableClient>, pace: Pace) -> Result<u64, BenchError> {
    let mut sink = client.sink();
    let mut sent = 0;
    while pace.more(sent) {
        sink.feed(payload::data(sent)).await?;
        sent += 1;
    }
    sink.send(payload::end()).await?;
    Ok(sent)
}

/// Shuts the clients down (every sender has ended: each `Arc` is the last), then the server.
async fn close(server: &ReliableServer, clients: Vec<Arc<ReliableClient>>) {
    let owned = clients.into_iter().filter_map(Arc::into_inner);
    futures::future::join_all(owned.map(ReliableClient::shutdown)).await;
    server.shutdown(Duration::from_millis(200)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_server_receives_every_message_of_every_session() {
        let throughput = run(3, Workload::Messages(3000)).await.unwrap();
        assert_eq!(throughput.delivered, 9000);
    }

    #[tokio::test]
    async fn a_timed_run_counts_what_it_uploaded() {
        let timed = Workload::Duration(Duration::from_secs(1));
        assert!(run(2, timed).await.unwrap().delivered > 0);
    }
}
