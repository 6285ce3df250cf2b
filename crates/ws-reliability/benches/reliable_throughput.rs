//! Server → client push of 64-byte messages over loopback: raw tokio-tungstenite (feed,
//! one flush) against ReliableServer → ReliableClient (sequence numbers, outbox, batched
//! acks), measured side by side in the same run. Group `push_64b_loopback`: each iteration
//! opens its connection (setup included). Group `push_64b_steady`: the connections are opened
//! once and every iteration pushes `MESSAGES` through them (steady state only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::server::Listen;
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
/// batches; a full outbox is waited out (`send_wait`, the backpressure `feed` gives raw).
async fn reliable_round() {
    let pair = reliable_pair().await;
    reliable_steady_round(&pair).await;
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

/// A raw connection pair kept open: a server task pushes `MESSAGES` on every signal.
struct RawPair {
    go: tokio::sync::mpsc::UnboundedSender<()>,
    client: tokio::sync::Mutex<WebSocketStream<MaybeTlsStream<TcpStream>>>,
}

async fn raw_pair() -> RawPair {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let (go, mut signals) = tokio::sync::mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        while signals.recv().await.is_some() {
            for _ in 0..MESSAGES {
                ws.feed(payload()).await.unwrap();
            }
            ws.flush().await.unwrap();
        }
    });
    let (client, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    RawPair { go, client: tokio::sync::Mutex::new(client) }
}

async fn raw_steady_round(pair: &RawPair) {
    pair.go.send(()).unwrap();
    let mut client = pair.client.lock().await;
    for _ in 0..MESSAGES {
        client.next().await.unwrap().unwrap();
    }
}

/// A ReliableServer and a connected ReliableClient kept open across iterations.
struct ReliablePair {
    server: ReliableServer,
    session: ws_reliability::protocol::SessionId,
    incoming: tokio::sync::Mutex<ws_reliability::client::ClientIncoming>,
    _client: ReliableClient,
    _listener: ws_reliability::server::Listener,
}

async fn reliable_pair() -> ReliablePair {
    let mut config = ServerConfig::default();
    config.sessions.outbox =
        config.sessions.outbox.with_flush_interval(std::time::Duration::from_millis(1));
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr());
    let client = ReliableClient::start(&url, ClientConfig::default()).unwrap();
    let incoming = tokio::sync::Mutex::new(client.incoming().unwrap());
    let session = connected(&client).await;
    ReliablePair { server, session, incoming, _client: client, _listener: listener }
}

async fn reliable_steady_round(pair: &ReliablePair) {
    let (server, session) = (pair.server.clone(), pair.session);
    let sender = tokio::spawn(async move {
        for _ in 0..MESSAGES {
            server.send_wait(session, payload()).await.unwrap();
        }
    });
    receive_all(pair, sender).await;
}

/// The same with `send`, retrying a refused message after `yield_now`: a producer that
/// polls a full outbox instead of waiting for room.
async fn reliable_retry_round(pair: &ReliablePair) {
    let (server, session) = (pair.server.clone(), pair.session);
    let sender = tokio::spawn(async move {
        for _ in 0..MESSAGES {
            let mut message = payload();
            while let Err(refused) = server.send(session, message) {
                message = refused.into_message().unwrap();
                tokio::task::yield_now().await;
            }
        }
    });
    receive_all(pair, sender).await;
}

async fn receive_all(pair: &ReliablePair, sender: tokio::task::JoinHandle<()>) {
    let mut incoming = pair.incoming.lock().await;
    for _ in 0..MESSAGES {
        incoming.next().await.unwrap();
    }
    sender.await.unwrap();
}

fn steady(c: &mut Criterion) {
    let runtime = runtime();
    let raw = runtime.block_on(raw_pair());
    let reliable = runtime.block_on(reliable_pair());
    let mut group = c.benchmark_group("push_64b_steady");
    group.throughput(Throughput::Elements(MESSAGES as u64)).sample_size(10);
    group.bench_function("raw_tungstenite", |b| {
        b.to_async(&runtime).iter(|| raw_steady_round(&raw))
    });
    group.bench_function("reliable", |b| {
        b.to_async(&runtime).iter(|| reliable_steady_round(&reliable))
    });
    group.bench_function("reliable_send_retry", |b| {
        b.to_async(&runtime).iter(|| reliable_retry_round(&reliable))
    });
    group.finish();
}

fn push(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("push_64b_loopback");
    group.throughput(Throughput::Elements(MESSAGES as u64)).sample_size(10);
    group.bench_function("raw_tungstenite", |b| b.to_async(&runtime).iter(raw_round));
    group.bench_function("reliable", |b| b.to_async(&runtime).iter(reliable_round));
    group.finish();
}

criterion_group!(benches, push, steady);
criterion_main!(benches);
