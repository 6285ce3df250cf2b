//! Send-path cost: 10,000 messages of 64 bytes through the reconnector's handle versus
//! straight into a tokio-tungstenite stream, both over the same in-memory duplex pipe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::{SinkExt, StreamExt};
use std::io;
use tokio::io::DuplexStream;
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_reconnect::{connector_fn, Message, ReconnectConfig, Reconnector};

const MESSAGES: usize = 10_000;

type Ws = WebSocketStream<DuplexStream>;

async fn pair() -> (Ws, Ws) {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let client = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
    (client, WebSocketStream::from_raw_socket(server, Role::Server, None).await)
}

/// Reads `MESSAGES` data messages.
async fn drain(mut server: Ws) {
    let mut seen = 0;
    while seen < MESSAGES {
        if let Message::Binary(_) = server.next().await.unwrap().unwrap() {
            seen += 1;
        }
    }
}

fn payload() -> Message {
    Message::binary(vec![7u8; 64])
}

async fn raw() {
    let (mut client, server) = pair().await;
    let reader = tokio::spawn(drain(server));
    for _ in 0..MESSAGES {
        client.feed(payload()).await.unwrap();
    }
    client.flush().await.unwrap();
    reader.await.unwrap();
}

async fn reconnector() {
    let (client, server) = pair().await;
    let slot = std::sync::Mutex::new(Some(client));
    let connect = move || {
        let connection = slot.lock().unwrap().take().ok_or(io::ErrorKind::NotConnected);
        async move { connection.map_err(io::Error::from) }
    };
    let running = Reconnector::new(connector_fn(connect), ReconnectConfig::default()).spawn();
    let reader = tokio::spawn(drain(server));
    let mut sink = running.handle().sink();
    for _ in 0..MESSAGES {
        sink.feed(payload()).await.unwrap();
    }
    reader.await.unwrap();
    running.shutdown().await;
}

fn send_path(criterion: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let mut group = criterion.benchmark_group("send_path");
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("raw_tungstenite", |bench| bench.iter(|| runtime.block_on(raw())));
    group.bench_function("reconnector_handle", |bench| {
        bench.iter(|| runtime.block_on(reconnector()))
    });
    group.finish();
}

criterion_group!(benches, send_path);
criterion_main!(benches);
