//! Sessions kept in a store (`ServerConfig::sessions.store`) over real sockets: a server process
//! that dies (its runtime dropped: no task runs another line, as under SIGKILL) and a new
//! one on the same address and store; the client resumes there and loses nothing; two
//! live nodes on one store, where a resume on the second closes the first's connection
//! with 4003.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::ReliableClient;
use ws_reliability::protocol::*;
use ws_reliability::server::Listen;
use ws_reliability::server::{ReliableServer, ServerConfig, SessionEvent, StoreConfig};
use ws_store::{MemoryStore, SessionStore};

/// What a node's handler saw and did: the client's messages by sequence number, and how
/// many of its own sends completed (durably: the store had them).
#[derive(Debug, Default)]
struct Seen {
    received: Vec<(u64, String)>,
    durable_sends: usize,
}

type Shared = Arc<Mutex<Seen>>;

fn stored(store: &Arc<dyn SessionStore>, node: &str) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sessions.store = Some(StoreConfig::new(Arc::clone(store), node));
    config
}

/// A node in its own runtime, listening on `addr` when this returns, whose handler sends `sends` messages
/// named from `first` (each awaited: a durable send) and records what its client sends.
async fn node(addr: SocketAddr, config: ServerConfig, plan: Plan, seen: Shared) -> Runtime {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (listening, bound) = tokio::sync::oneshot::channel();
    runtime.spawn(async move {
        let server = ReliableServer::new(config);
        let listener = server.listen(addr).await.unwrap();
        listening.send(()).unwrap();
        let mut session = server.accept().await.unwrap();
        for index in plan.first..plan.first + plan.sends {
            session.send(Message::text(format!("m{index}"))).await.unwrap();
            seen.lock().unwrap().durable_sends += 1;
        }
        for _ in 0..plan.takes {
            let Some(received) = session.next().await else { break };
            let text = received.message.to_text().unwrap().to_owned();
            seen.lock().unwrap().received.push((received.seq, text));
        }
        std::future::pending::<()>().await; // holds the session until the node dies
        drop((listener, session));
    });
    bound.await.unwrap(); // listening: a client's first attempt reaches it
    runtime
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    first: usize,
    sends: usize,
    /// How many of the client's messages the handler takes.
    takes: usize,
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// The client's messages a node took, as texts.
fn texts(seen: &Shared) -> Vec<String> {
    seen.lock().unwrap().received.iter().map(|(_, text)| text.clone()).collect()
}

/// The client's messages before the crash: more than a reader acknowledges at once (K =
/// 256, protocol.md § 6), so a server that acknowledged what its application had not taken
/// would lose some.
const SENT_BEFORE: usize = 300;

/// Runs the crash scenario against `store`: node A sends 5 messages durably and takes 2
/// of the client's 300, dies; node B on the same address and store sends a 6th and takes
/// the rest (the 2 A never took were never acknowledged: the client resends them).
async fn survives_a_crash(make_store: impl Fn() -> Arc<dyn SessionStore>) {
    let addr = free_addr();
    let seen_a = Shared::default();
    let seen_b = Shared::default();
    let store = make_store();
    let plan = Plan { first: 1, sends: 5, takes: 2 };
    let node_a = node(addr, stored(&store, "a"), plan, Arc::clone(&seen_a)).await;
    drop(store); // node A holds it alone: dropping A closes it (a redb file unlocks)
    let address = url(addr);
    let client = guarded("connect", ReliableClient::connect(&address, client_config())).await;
    let client = client.unwrap();
    let mut incoming = client.incoming().unwrap();
    for index in 1..=SENT_BEFORE {
        client.send(Message::text(format!("c{index}"))).unwrap();
    }
    wait_until("A's durable sends, and the ack of what A took", || {
        let seen = seen_a.lock().unwrap();
        seen.durable_sends == 5 && seen.received.len() == 2 && client.unacked() < SENT_BEFORE
    })
    .await;
    kill(node_a).await; // the crash
    let store = make_store();
    let plan = Plan { first: 6, sends: 1, takes: usize::MAX };
    let node_b = node(addr, stored(&store, "b"), plan, Arc::clone(&seen_b)).await;
    for index in 1..=6 {
        let message = guarded("the server's messages", incoming.next()).await.unwrap();
        assert_eq!(message, Message::text(format!("m{index}")), "in order, none lost or repeated");
    }
    let last = format!("c{}", SENT_BEFORE + 1);
    client.send(Message::text(last.clone())).unwrap();
    wait_until("B takes the rest of the client's messages", || texts(&seen_b).contains(&last))
        .await;
    let mut all = texts(&seen_a);
    all.extend(texts(&seen_b));
    all.dedup(); // a message A took but the store had not yet as taken comes again, once
    let expected: Vec<_> = (1..=SENT_BEFORE + 1).map(|index| format!("c{index}")).collect();
    assert_eq!(all, expected, "every client message reached a node: none lost across the crash");
    kill(node_b).await;
}

/// Drops a node's runtime: its tasks are dropped where they stand, none runs again.
async fn kill(node: Runtime) {
    let dropping = move || node.shutdown_timeout(std::time::Duration::from_secs(5));
    tokio::task::spawn_blocking(dropping).await.unwrap();
}

#[tokio::test]
async fn a_session_in_a_memory_store_survives_the_server() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    survives_a_crash(|| Arc::clone(&store)).await;
}

#[tokio::test]
async fn a_session_in_a_redb_file_survives_the_server_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.redb");
    let open = || -> Arc<dyn SessionStore> {
        Arc::new(ws_store::RedbStore::open(&path, ws_store::RedbConfig::default()).unwrap())
    };
    survives_a_crash(open).await;
}

#[tokio::test]
async fn a_resume_on_another_node_moves_the_session_and_closes_the_first_with_4003() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let mut first = stored(&store, "a");
    first.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    let (node_a, listener_a) = server(first).await;
    let (_node_b, listener_b) = server(stored(&store, "b")).await;
    let mut events_a = node_a.events();
    let (frame, mut raw_a) = raw_hello(listener_a.local_addr(), Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("{frame:?}") };
    let resume = Resume { session: welcome.session, token: welcome.token, last_received: 0 };
    let hello = Hello { resume: Some(resume), ..Hello::default() };
    let (frame, _raw_b) = raw_hello(listener_b.local_addr(), hello).await;
    let Frame::Welcome(moved) = frame else { panic!("{frame:?}") };
    assert!(moved.resumed && moved.session == welcome.session, "resumed on node B");
    node_a.send(welcome.session, Message::text("late")).unwrap(); // A's write is fenced
    assert_eq!(guarded("A's close", close_code(&mut raw_a)).await, Some(4003));
    raw_a.close(None).await.ok(); // completes the close handshake: A's connection ends now
    loop {
        match guarded("the moved event", events_a.recv()).await.unwrap() {
            SessionEvent::Moved { session } => break assert_eq!(session, welcome.session),
            _ => continue,
        }
    }
}

#[path = "../../crates/ws-store/tests/redis_server/mod.rs"]
mod redis_server;

#[tokio::test]
async fn a_client_resumes_on_another_node_sharing_a_redis_store_when_its_node_dies() {
    let redis = redis_server::RedisServer::start().unwrap();
    let connect = || ws_store::RedisStore::connect(&redis.url, ws_store::RedisConfig::default());
    let store_a: Arc<dyn SessionStore> = Arc::new(connect().await.unwrap());
    let store_b: Arc<dyn SessionStore> = Arc::new(connect().await.unwrap());
    let addr_a = free_addr();
    let addr_b = free_addr();
    let seen_a = Shared::default();
    let seen_b = Shared::default();
    let plan_a = Plan { first: 1, sends: 3, takes: 1 };
    let node_a = node(addr_a, stored(&store_a, "a"), plan_a, Arc::clone(&seen_a)).await;
    drop(store_a);
    let plan_b = Plan { first: 4, sends: 1, takes: 2 };
    let node_b = node(addr_b, stored(&store_b, "b"), plan_b, Arc::clone(&seen_b)).await;
    let mut config = client_config();
    config.server.fallback_urls = vec![url(addr_b)];
    let client =
        guarded("connect to A", ReliableClient::connect(&url(addr_a), config)).await.unwrap();
    let mut incoming = client.incoming().unwrap();
    client.send(Message::text("c1")).unwrap();
    client.send(Message::text("c2")).unwrap();
    wait_until("A's durable sends and its take", || {
        let seen = seen_a.lock().unwrap();
        seen.durable_sends == 3 && seen.received.len() == 1 && client.unacked() < 2
    })
    .await;
    kill(node_a).await;
    for index in 1..=4 {
        let message = guarded("the messages of both nodes", incoming.next()).await.unwrap();
        assert_eq!(message, Message::text(format!("m{index}")), "A's three, then B's, once each");
    }
    wait_until("B takes what A did not", || texts(&seen_b).contains(&"c2".to_owned())).await;
    assert_eq!(texts(&seen_a), ["c1"]);
    assert_eq!(texts(&seen_b).last().map(String::as_str), Some("c2"));
    kill(node_b).await;
}

/// A resume on node B of a session node A wrote, presenting `token` and `last_received`.
async fn resume_on(node: SocketAddr, welcome: &Welcome, token: ResumeToken, last: u64) -> Frame {
    let resume = Resume { session: welcome.session, token, last_received: last };
    let hello = Hello { resume: Some(resume), ..Hello::default() };
    raw_hello(node, hello).await.0
}

#[tokio::test]
async fn a_resume_from_the_store_is_refused_as_the_protocol_says() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let (_node_a, listener_a) = server(stored(&store, "a")).await;
    let (node_b, listener_b) = server(stored(&store, "b")).await;
    let node_b_addr = listener_b.local_addr();
    let (frame, _raw_a) = raw_hello(listener_a.local_addr(), Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("{frame:?}") };
    let forged = ResumeToken::from_bytes([7; 16]);
    let lost = |reason| Frame::SessionLost(reason);
    let answer = resume_on(node_b_addr, &welcome, forged, 0).await;
    assert_eq!(answer, lost(SessionLostReason::TokenMismatch), "a forged token, from digests");
    let answer = resume_on(node_b_addr, &welcome, welcome.token.clone(), 3).await;
    assert_eq!(answer, lost(SessionLostReason::Unrecoverable), "beyond what the store holds");
    let unknown = Welcome { session: SessionId::from_bytes([9; 16]), ..welcome.clone() };
    let answer = resume_on(node_b_addr, &unknown, welcome.token.clone(), 0).await;
    assert_eq!(answer, lost(SessionLostReason::UnknownSession));
    let Frame::Welcome(moved) = resume_on(node_b_addr, &welcome, welcome.token.clone(), 0).await
    else {
        panic!("the refusals changed nothing: the true token still resumes")
    };
    assert!(moved.resumed && moved.token != welcome.token, "rotated with the claim");
    assert_eq!(node_b.sessions(), vec![welcome.session]);
}

#[tokio::test]
async fn a_session_of_another_identity_is_not_resumed_from_the_store() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let (_node_a, listener_a) = server(stored(&store, "a")).await;
    let refusing: ws_reliability::server::AuthHook =
        Arc::new(|_| Ok(ws_reliability::server::Identity::from("mallory")));
    let mut config = stored(&store, "b");
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    let node_b = ReliableServer::with_auth(config, refusing);
    let listener_b = node_b.listen("127.0.0.1:0").await.unwrap();
    let (frame, _raw_a) = raw_hello(listener_a.local_addr(), Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("{frame:?}") };
    let resume = Resume { session: welcome.session, token: welcome.token, last_received: 0 };
    let hello = Hello { resume: Some(resume), ..Hello::default() };
    let (frame, mut raw_b) = raw_hello(listener_b.local_addr(), hello).await;
    assert!(matches!(frame, Frame::Error(_)), "the hook's refusal reason: {frame:?}");
    assert_eq!(close_code(&mut raw_b).await, Some(1008));
    assert!(node_b.sessions().is_empty(), "nothing claimed");
}
