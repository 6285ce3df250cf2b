//! Server → client push of 64-byte messages over loopback: raw tokio-tungstenite (feed,
//! one flush) against ReliableServer → ReliableClient (sequence numbers, outbox, batched
//! acks), measured side by side in the same run. Each iteration opens its connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::server::{ReliableServer, ServerConfig};
use ws_reliability::Message;

/// Messages per iteration.
const MESSAGES: usize = 20_000;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn payload() -> Message {
    Message::binary(vec![0x5a; 64])
}

/// Raw tokio-tungstenite: the server feeds every message and flushes once.
async fn raw_round() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        for _ in 0..MESSAGES {
            ws.feed(payload()).await.unwrap();
        }
        ws.flush().await.unwrap();
        ws
    });
    let (mut client, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    for _ in 0..MESSAGES {
        client.next().await.unwrap().unwrap();
    }
    drop(server.await.unwrap());
}

/// ReliableServer → ReliableClient: every message sequenced, kept until acked, acked in
/// batches; a full outbox is waited out.
async fn reliable_round() {
    let mut config = ServerConfig::default();
    config.outbox = config.outbox.with_flush_interval(std::time::Duration::from_millis(1));
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr());
    let client = ReliableClient::connect(&url, ClientConfig::default()).unwrap();
    let mut incoming = client.incoming().unwrap();
    let session = connected(&client).await;
    let sender = tokio::spawn(async move {
        for _ in 0..MESSAGES {
            let mut message = payload();
            while let Err(refused) = server.send(session, message) {
                message = refused.into_message().unwrap();
                tokio::task::yield_now().await;
            }
        }
        server
    });
    for _ in 0..MESSAGES {
        incoming.next().await.unwrap();
    }
    drop(sender.await.unwrap());
    drop(TcpStream::connect(listener.local_addr()).await);
}

/// The client's session, once WELCOME arrived (subscribed before looking, so no race).
async fn connected(client: &ReliableClient) -> ws_reliability::protocol::SessionId {
    let mut events = client.events();
    if let Some(session) = client.session() {
        return session;
    }
    loop {
        if let ClientEvent::Connected { session, .. } = events.recv().await.unwrap() {
            return session;
        }
    }
}

fn push(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("push_64b_loopback");
    group.throughput(Throughput::Elements(MESSAGES as u64)).sample_size(10);
    group.bench_function("raw_tungstenite", |b| b.to_async(&runtime).iter(raw_round));
    group.bench_function("reliable", |b| b.to_async(&runtime).iter(reliable_round));
    group.finish();
}

criterion_group!(benches, push);
criterion_main!(benches);
