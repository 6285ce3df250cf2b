//! Sends to a session another node runs (`ReliableServer::post`) over real sockets: through
//! a real `redis-server` to a live owner, which moves them into the session's outbox; and
//! through a store whose owner died before it looked, where the node that claims the
//! session at the client's resume brings the posts along.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[path = "../../crates/ws-store/tests/redis_server/mod.rs"]
mod redis_server;

use common::*;
use futures::StreamExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientIncoming, ReliableClient};
use ws_reliability::server::Listen;
use ws_reliability::server::{Delivery, IncomingMode, ReliableServer, ServerConfig, StoreConfig};
use ws_reliability::Error;
use ws_store::{MemoryStore, SessionStore};

fn stored(config: StoreConfig) -> ServerConfig {
    let mut server = ServerConfig::default();
    server.sessions.store = Some(config);
    server
}

async fn next_text(incoming: &mut ClientIncoming) -> String {
    let message = guarded("a message", incoming.next()).await.unwrap();
    message.to_text().unwrap().to_owned()
}

#[tokio::test]
async fn a_post_from_another_node_reaches_the_client_once_and_in_order() {
    let redis = redis_server::RedisServer::start().unwrap();
    let connect = || ws_store::RedisStore::connect(&redis.url, ws_store::RedisConfig::default());
    let store_a: Arc<dyn SessionStore> = Arc::new(connect().await.unwrap());
    let store_b: Arc<dyn SessionStore> = Arc::new(connect().await.unwrap());
    let (node_a, listener_a) = server(stored(StoreConfig::new(store_a, "a"))).await;
    let (node_b, _listener_b) = server(stored(StoreConfig::new(store_b, "b"))).await;
    let address = url(listener_a.local_addr());
    let client = guarded("connect", ReliableClient::connect(&address, client_config())).await;
    let client = client.unwrap();
    let mut incoming = client.incoming().unwrap();
    let session = client.session().unwrap();
    for index in 1..=3 {
        let delivery = node_b.post(session, Message::text(format!("p{index}"))).await.unwrap();
        assert!(matches!(delivery, Delivery::Posted { .. }), "B does not run it: {delivery:?}");
    }
    let here = node_a.post(session, Message::text("a1")).await.unwrap();
    assert!(matches!(here, Delivery::Here { .. }), "A runs it: {here:?}");
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(next_text(&mut incoming).await);
    }
    let posts: Vec<_> = got.iter().filter(|text| text.starts_with('p')).collect();
    assert_eq!(posts, ["p1", "p2", "p3"], "the posts in order, once each: {got:?}");
    assert!(got.contains(&"a1".to_owned()));
    node_a.send(session, Message::text("end")).unwrap();
    assert_eq!(next_text(&mut incoming).await, "end", "nothing came twice");
}

#[tokio::test]
async fn a_post_to_a_session_no_node_has_is_handed_back() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let (node, _listener) = server(stored(StoreConfig::new(store, "a"))).await;
    let unknown = ws_reliability::protocol::SessionId::from_bytes([3; 16]);
    let refused = node.post(unknown, Message::text("lost?")).await.unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { .. }), "{refused:?}");
    assert_eq!(refused.into_message(), Some(Message::text("lost?")), "handed back");
    let (plain, _listener) = server(ServerConfig::default()).await;
    let refused = plain.post(unknown, Message::text("x")).await.unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { .. }), "no store: only this node");
}

/// Node A in a runtime of its own that never looks at its notices, listening on `addr`
/// when this returns.
async fn forgetful_node(addr: SocketAddr, store: Arc<dyn SessionStore>) -> Runtime {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mut config =
        stored(StoreConfig::new(store, "a").with_notice_poll(Duration::from_secs(3600)));
    config.incoming.mode = IncomingMode::Shared;
    let (listening, bound) = tokio::sync::oneshot::channel();
    runtime.spawn(async move {
        let node = ReliableServer::new(config);
        let listener = node.listen(addr).await.unwrap();
        listening.send(()).unwrap();
        std::future::pending::<()>().await; // runs until the runtime is dropped
        drop((node, listener));
    });
    bound.await.unwrap();
    runtime
}

/// Drops a node's runtime: its tasks are dropped where they stand, none runs again.
async fn kill(node: Runtime) {
    let dropping = move || node.shutdown_timeout(Duration::from_secs(5));
    tokio::task::spawn_blocking(dropping).await.unwrap();
}

#[tokio::test]
async fn posts_for_a_dead_owner_come_with_the_session_to_the_node_that_claims_it() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let addr_a = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let node_a = forgetful_node(addr_a, Arc::clone(&store)).await;
    let (node_b, listener_b) = server(stored(StoreConfig::new(store, "b"))).await;
    let mut config = client_config();
    config.server.fallback_urls = vec![url(listener_b.local_addr())];
    let client = guarded("connect", ReliableClient::connect(&url(addr_a), config)).await.unwrap();
    let mut incoming = client.incoming().unwrap();
    let session = client.session().unwrap();
    for index in 1..=2 {
        let delivery = node_b.post(session, Message::text(format!("p{index}"))).await.unwrap();
        assert!(matches!(delivery, Delivery::Posted { .. }), "A runs it: {delivery:?}");
    }
    kill(node_a).await; // A never looked at its notices: the posts are in the inbox only
    assert_eq!(next_text(&mut incoming).await, "p1", "moved by B's claim, after the resume");
    assert_eq!(next_text(&mut incoming).await, "p2");
    let here = node_b.post(session, Message::text("p3")).await.unwrap();
    assert!(matches!(here, Delivery::Here { .. }), "B runs it now: {here:?}");
    assert_eq!(next_text(&mut incoming).await, "p3", "once each, in order");
}

#[tokio::test]
async fn a_post_past_the_inbox_bound_is_refused_and_handed_back_until_the_owner_moves_some() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let addr_a = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let node_a = forgetful_node(addr_a, Arc::clone(&store)).await;
    let bounded = StoreConfig::new(store, "b").with_max_inbox(2);
    let (node_b, _listener_b) = server(stored(bounded)).await;
    let address = url(addr_a);
    let client = guarded("connect", ReliableClient::connect(&address, client_config())).await;
    let session = client.unwrap().session().unwrap();
    for index in 1..=2 {
        let delivery = node_b.post(session, Message::text(format!("p{index}"))).await.unwrap();
        assert!(matches!(delivery, Delivery::Posted { .. }), "{delivery:?}");
    }
    let refused = node_b.post(session, Message::text("p3")).await.unwrap_err();
    let Error::Store { ref source, .. } = refused else { panic!("{refused:?}") };
    assert_eq!(source.refusal(), Some(&ws_store::Refusal::InboxFull { max: 2 }));
    assert_eq!(refused.into_message(), Some(Message::text("p3")), "handed back");
    kill(node_a).await;
}
