//! Helpers shared by the end-to-end tests: a server on 127.0.0.1:0, clients with fast
//! reconnects, fault-injecting dialers, and waits bounded by generous failure guards.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::core::Backoff;
use ws_reliability::fault::{FaultConfig, FaultInjector, FaultKind};
use ws_reliability::protocol::{from_message, to_message, Frame, Hello, Limits, SessionId};
use ws_reliability::server::Listen;
use ws_reliability::server::{Listener, ReliableServer, ServerConfig, SessionEvent};

/// The failure guard of every wait: far above any expected duration, never a measurement.
pub const GUARD: Duration = Duration::from_secs(30);

/// Waits, under the guard, until `done` holds (a bounded poll of a condition, every 2 ms).
pub async fn wait_until(what: &str, done: impl Fn() -> bool) {
    guarded(what, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
}

/// Awaits `future` under the guard.
pub async fn guarded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(GUARD, future).await.unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// A server listening on 127.0.0.1:0; left in the default mode (`Accept`), it delivers
/// into the shared stream instead (`Shared`): these tests read it and the events, as a
/// hub does.
pub async fn server(mut config: ServerConfig) -> (ReliableServer, Listener) {
    use ws_reliability::server::IncomingMode;
    if config.incoming.mode == IncomingMode::Accept {
        config.incoming.mode = IncomingMode::Shared;
    }
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    (server, listener)
}

pub fn url(addr: SocketAddr) -> String {
    format!("ws://{addr}/ws")
}

/// A client config with fast reconnects (10 ms to 100 ms).
pub fn client_config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect.backoff =
        Backoff::new(Duration::from_millis(10), 2.0, Duration::from_millis(100));
    config
}

/// [`client_config`] whose reader keeps in lockstep with the application (16 messages
/// delivered ahead at most): the transfer still has reads and acks to do when
/// [`take_with_faults`] arms a fault, instead of having read everything ahead.
pub fn lockstep_client_config() -> ClientConfig {
    let mut config = client_config();
    config.queues.incoming = 16;
    config
}

/// A server config whose shared incoming stream holds 16 messages at most: the server's
/// reader keeps in lockstep with the application, as [`lockstep_client_config`].
pub fn lockstep_server_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.incoming.buffer = 16;
    config
}

/// A client whose connections go through `injector`.
pub fn faulty_client(addr: SocketAddr, injector: &FaultInjector) -> ReliableClient {
    faulty_client_with(addr, injector, client_config())
}

/// A client with `config` whose connections go through `injector`.
pub fn faulty_client_with(
    addr: SocketAddr,
    injector: &FaultInjector,
    config: ClientConfig,
) -> ReliableClient {
    let injector = injector.clone();
    let dial = move || {
        let injector = injector.clone();
        async move { Ok(injector.wrap(TcpStream::connect(addr).await?)) }
    };
    ReliableClient::with_dialer(&url(addr), config, dial)
}

/// An injector that kills connections at `rate` per I/O operation until `kills` kills
/// happened, then turns itself off.
pub fn killer(seed: u64, rate: f64, kills: u64) -> FaultInjector {
    injecting(seed, FaultKind::Kill, rate, kills)
}

/// An injector that causes `kind` at `rate` per I/O operation until `count` of them
/// happened, then turns itself off (its budget: exactly `count` at most, never one more).
pub fn injecting(seed: u64, kind: FaultKind, rate: f64, count: u64) -> FaultInjector {
    let injector = FaultInjector::new(FaultConfig::seeded(seed).with_rate(kind, rate)).unwrap();
    injector.arm(count);
    injector
}

/// An injector that causes `kind` on every I/O operation it may draw on, switched off:
/// [`take_with_faults`] arms it one fault at a time.
pub fn armable(seed: u64, kind: FaultKind) -> FaultInjector {
    let injector = FaultInjector::new(FaultConfig::seeded(seed).with_rate(kind, 1.0)).unwrap();
    injector.set_enabled(false);
    injector
}

/// Takes `count` messages from `stream`, arming `injector` for one fault of `kind` at the
/// start of each of `faults` parts of the first half (so every fault has half the transfer
/// left to strike in) and taking on until it struck: exactly `faults` faults land mid-stream, however many I/O operations the
/// transfer needs (a fault rate per operation gave a count that varied with batching).
/// The receiving end must keep in lockstep with the application (the `lockstep_*`
/// configs), so that I/O is left to strike on after each arming.
pub async fn take_with_faults<S>(
    stream: &mut S,
    injector: &FaultInjector,
    kind: FaultKind,
    count: usize,
    faults: u64,
) -> Vec<String>
where
    S: futures::Stream<Item = Message> + Unpin,
{
    let part = count / (2 * faults as usize);
    let mut got = Vec::with_capacity(count);
    for armed in 1..=faults {
        injector.arm(1);
        let target = got.len() + part;
        while got.len() < target || injector.stats().count(kind) < armed {
            assert!(got.len() < count, "fault {armed} of {faults} never struck");
            got.extend(take(stream, 1).await);
        }
    }
    got.extend(take(stream, count - got.len()).await);
    assert_eq!(injector.stats().count(kind), faults, "exactly the armed faults");
    got
}

/// The next `Opened` session on the server.
pub async fn opened(events: &mut ws_reliability::events::Events<SessionEvent>) -> SessionId {
    guarded("session opened", async {
        loop {
            if let SessionEvent::Opened { session, .. } = events.recv().await.unwrap() {
                return session;
            }
        }
    })
    .await
}

/// Sends `message`, waiting while the outbox is full (the documented policy: refused, handed back).
pub async fn send_retrying(server: &ReliableServer, session: SessionId, mut message: Message) {
    guarded("the server took the message", async {
        loop {
            match server.send(session, message) {
                Ok(_) => return,
                Err(error) => message = error.into_message().unwrap(),
            }
            tokio::time::sleep(Duration::from_millis(1)).await; // a retry, bounded by the guard
        }
    })
    .await;
}

/// Reads `count` messages from `stream`.
pub async fn take<S: futures::Stream<Item = Message> + Unpin>(
    stream: &mut S,
    count: usize,
) -> Vec<String> {
    let mut got = Vec::with_capacity(count);
    while got.len() < count {
        let next = tokio::time::timeout(GUARD, stream.next()).await;
        let message = next
            .unwrap_or_else(|_| panic!("timed out after {} messages", got.len()))
            .expect("stream ended");
        got.push(message.into_text().unwrap().to_string());
    }
    got
}

pub fn numbered(count: usize) -> Vec<String> {
    (0..count).map(|index| format!("m{index}:{}", "x".repeat(200))).collect()
}

/// Sends `numbered(count)` to `session` on a background task, waiting out a full outbox.
pub fn send_numbered_in_background(server: &ReliableServer, session: SessionId, count: usize) {
    let sender = server.clone();
    tokio::spawn(async move {
        for text in numbered(count) {
            send_retrying(&sender, session, Message::text(text)).await;
        }
    });
}

/// The session of the client's first WELCOME.
pub async fn connected(client: &ReliableClient) -> SessionId {
    let mut events = client.events();
    if let Some(session) = client.session() {
        return session;
    }
    guarded("client connected", async {
        loop {
            if let ClientEvent::Connected { session, .. } = events.recv().await.unwrap() {
                return session;
            }
        }
    })
    .await
}

/// A raw wsr.v1 connection, for tests that speak the protocol by hand.
pub type Raw = tokio_tungstenite::WebSocketStream<TcpStream>;

/// Opens a raw connection offering wsr.v1.
pub async fn raw_v1(addr: SocketAddr) -> Raw {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (ws, mode) =
        ws_reliability::protocol::connect(url(addr).as_str(), stream, None).await.unwrap();
    assert_eq!(mode, ws_reliability::protocol::Mode::V1);
    ws
}

/// A fresh raw wsr.v1 session: its id and the socket (the WELCOME read).
pub async fn open_raw(addr: SocketAddr) -> (SessionId, Raw) {
    let (frame, ws) = raw_hello(addr, Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected WELCOME, got {frame:?}") };
    (welcome.session, ws)
}

/// Sends `hello` on a fresh raw connection and returns the answer frame and the socket.
pub async fn raw_hello(addr: SocketAddr, hello: Hello) -> (Frame, Raw) {
    use futures::SinkExt;
    let mut ws = raw_v1(addr).await;
    ws.send(to_message(&Frame::Hello(hello))).await.unwrap();
    (next_frame(&mut ws).await, ws)
}

/// The next wsr.v1 frame on a raw connection.
pub async fn next_frame(ws: &mut Raw) -> Frame {
    loop {
        let message = guarded("next frame", ws.next()).await.unwrap().unwrap();
        if let Some(frame) = from_message(&message, &Limits::default()).unwrap() {
            return frame;
        }
        if let Message::Close(frame) = message {
            panic!("closed instead: {frame:?}");
        }
    }
}

/// Reads until the peer closes; returns the close code (`None` for no close frame).
pub async fn close_code(ws: &mut Raw) -> Option<u16> {
    guarded("close", async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Close(frame) = message {
                return frame.map(|frame| u16::from(frame.code));
            }
        }
        None
    })
    .await
}

/// An injector that kills every connection operation while enabled; starts disabled.
pub fn kill_switch(seed: u64) -> FaultInjector {
    let config = FaultConfig::seeded(seed).with_rate(FaultKind::Kill, 1.0);
    let injector = FaultInjector::new(config).unwrap();
    injector.set_enabled(false);
    injector
}

/// Arms `injector` for exactly one more kill: the next I/O operation on any of its streams
/// kills that connection, and nothing after it (the budget is spent atomically, so a
/// reconnect racing the kill is never killed too).
pub fn kill_next(injector: &FaultInjector) {
    injector.arm(1);
}
