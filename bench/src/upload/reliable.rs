//! ReliableClient → ReliableServer upload with their default configurations: one sender
//! task per client feeding the client's sink ([`ReliableClient::sink`]), whose `feed` waits
//! while the outbox is full. The server reads [`ReliableServer::incoming`](ws_reliability::server::SessionServer::incoming) and checks every
//! session in order.

use super::receive_sessions;
use crate::args::Workload;
use crate::push::reliable::{connect, Connected};
use crate::push::{self, Pace, Start, Throughput, SETUP_LIMIT};
use crate::{payload, BenchError};
use futures::SinkExt;
use std::sync::Arc;
use std::time::Duration;
use ws_reliability::client::ReliableClient;
use ws_reliability::server::{Incoming, ReliableServer};

/// Connects `clients` clients, then times the upload of `workload` from each.
pub async fn run(clients: usize, workload: Workload) -> Result<Throughput, BenchError> {
    let server = ReliableServer::new(crate::limits::server_config());
    let incoming = server.incoming().ok_or(BenchError::Reliable("incoming taken".into()))?;
    let listener = server.listen("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr());
    let clients = shared(tokio::time::timeout(SETUP_LIMIT, connect(&url, clients)).await??);
    let throughput = measure(incoming, &clients, workload).await;
    close(&server, clients).await;
    throughput
}

/// The clients, each shared with its sender task.
fn shared(connected: Vec<Connected>) -> Vec<Arc<ReliableClient>> {
    connected.into_iter().map(|one| Arc::new(one.client)).collect()
}

async fn measure(
    incoming: Incoming,
    clients: &[Arc<ReliableClient>],
    workload: Workload,
) -> Result<Throughput, BenchError> {
    let started = Start::now();
    let received = tokio::spawn(receive_sessions(incoming, clients.len()));
    let pace = Pace::new(workload, started.at);
    let upload = |client: &Arc<_>| tokio::spawn(upload(Arc::clone(client), pace));
    let senders = clients.iter().map(upload).collect();
    push::finish_counted(started, async { received.await? }, senders, workload).await
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
