//! Helpers the server's loopback tests share: a listening server with a given window and
//! payload limit, and a client connected to it with its session.
#![allow(dead_code, clippy::unwrap_used)]

use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::protocol::SessionId;
use ws_reliability::server::Listen;
use ws_reliability::server::{Listener, ReliableServer, ServerConfig};

/// A server on an ephemeral loopback port with `max_unacked` and `max_payload`.
pub async fn server(max_unacked: u64, max_payload: u64) -> (ReliableServer, Listener) {
    let mut config = ServerConfig::default();
    config.limits.max_unacked = max_unacked;
    config.limits.max_payload = max_payload;
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    (server, listener)
}

/// A client of `listener` and the session of its first WELCOME.
pub async fn client(listener: &Listener, config: ClientConfig) -> (ReliableClient, SessionId) {
    let url = format!("ws://{}/", listener.local_addr());
    let client = ReliableClient::start(&url, config).unwrap();
    let mut events = client.events();
    if let Some(session) = client.session() {
        return (client, session);
    }
    loop {
        if let ClientEvent::Connected { session, .. } = events.recv().await.unwrap() {
            return (client, session);
        }
    }
}
