//! A legacy client (plain tokio-tungstenite, no subprotocol) still exchanges messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::Mode;
use ws_reliability::server::{ServerConfig, SessionEvent};

#[tokio::test]
async fn a_legacy_client_receives_and_sends_plain_messages() {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut events = server.events();
    let mut incoming = server.incoming().unwrap();
    let (mut client, response) =
        tokio_tungstenite::connect_async(url(listener.local_addr())).await.unwrap();
    assert!(response.headers().get("sec-websocket-protocol").is_none(), "no subprotocol");
    let Ok(SessionEvent::Opened { session, mode, .. }) = events.recv().await else { panic!() };
    assert_eq!(mode, Mode::Legacy);
    for index in 0..3 {
        server.send(session, Message::text(format!("plain {index}"))).unwrap();
    }
    for index in 0..3 {
        let message = guarded("plain message", client.next()).await.unwrap().unwrap();
        assert_eq!(message, Message::text(format!("plain {index}")));
    }
    client.send(Message::text("from legacy")).await.unwrap();
    let (from, message) = guarded("incoming", incoming.next()).await.unwrap();
    assert_eq!((from, message), (session, Message::text("from legacy")));
    client.close(None).await.unwrap();
    let closed = guarded("closed", async {
        loop {
            if let Ok(SessionEvent::Closed { session: closed }) = events.recv().await {
                return closed;
            }
        }
    });
    assert_eq!(closed.await, session, "a legacy session ends with its connection");
    assert!(server.sessions().is_empty());
}
