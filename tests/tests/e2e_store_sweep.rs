//! The store's expired sessions over real sockets: a node that dies (its runtime dropped,
//! as under SIGKILL) leaves its sessions in the store, where nothing but a sweep removes
//! them once their resume window passed; every node sweeps (`StoreConfig::sweep_every`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::sync::Arc;
use std::time::Duration;
use ws_reliability::protocol::*;
use ws_reliability::server::Listen;
use ws_reliability::server::{ReliableServer, ServerConfig, StoreConfig};
use ws_store::{Lookup, MemoryStore, SessionKey, SessionStore, UnixMillis};

/// A node on `store` whose sessions expire soon after their connection is gone (a short
/// lease and resume window), sweeping every `sweep_every`.
fn short_lived(store: &Arc<dyn SessionStore>, node: &str, sweep_every: Duration) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.limits.resume_window = Duration::from_millis(100);
    let stored = StoreConfig::new(Arc::clone(store), node).with_lease(Duration::from_millis(50));
    let kept = Duration::from_millis(50);
    config.sessions.store = Some(stored.with_sweep_every(sweep_every).with_keep_expired(kept));
    config
}

/// Waits until the store's lookup of `session` is what `wanted` accepts.
async fn until_lookup(store: &dyn SessionStore, session: SessionId, wanted: fn(&Lookup) -> bool) {
    let key = SessionKey(*session.as_bytes());
    guarded("the store's lookup", async {
        while !wanted(&store.load(&key, UnixMillis::now()).await.unwrap()) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn the_sessions_of_a_dead_node_that_no_client_resumes_are_swept_from_the_store() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().unwrap());
    let node_a = tokio::runtime::Runtime::new().unwrap();
    let config = short_lived(&store, "a", Duration::from_secs(3600));
    let serving = node_a.spawn(async move {
        let server = ReliableServer::new(config);
        let listener = server.listen("127.0.0.1:0").await.unwrap();
        (server, listener)
    });
    let (server_a, listener_a) = serving.await.unwrap();
    let (session, raw) = open_raw(listener_a.local_addr()).await;
    drop(raw); // the client is gone for good
    let crash = move || drop((node_a, server_a, listener_a)); // no task of A runs again
    tokio::task::spawn_blocking(crash).await.unwrap();
    until_lookup(store.as_ref(), session, |found| matches!(found, Lookup::Expired)).await;
    let (_node_b, listener_b) = server(short_lived(&store, "b", Duration::from_millis(10))).await;
    let (_fresh, _raw_b) = open_raw(listener_b.local_addr()).await; // node B runs
    until_lookup(store.as_ref(), session, |found| matches!(found, Lookup::Missing)).await;
}
