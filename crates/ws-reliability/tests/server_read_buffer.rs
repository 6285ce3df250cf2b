//! Connections over loopback: messages larger than the server's read buffer arrive whole
//! and in order.
#![cfg(all(feature = "batch", feature = "conn", feature = "reconnect"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use std::time::Duration;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::DEFAULT_SERVER_READ_BUFFER_SIZE;
use ws_reliability::server::Listen;
use ws_reliability::server::{IncomingMode, ReliableServer, ServerConfig};
use ws_reliability::Message;

/// The failure guard of the wait, far above any expected duration.
const GUARD: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_larger_than_the_read_buffer_arrive_whole_and_in_order() {
    let mut config = ServerConfig::default();
    config.incoming.mode = IncomingMode::Shared;
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let mut incoming = server.incoming().unwrap();
    let url = format!("ws://{}/", listener.local_addr());
    let client = ReliableClient::start(&url, ClientConfig::default()).unwrap();
    let sizes = [10, 5 * DEFAULT_SERVER_READ_BUFFER_SIZE, 300_000, 1];
    let sent: Vec<Message> = sizes.iter().map(|&size| Message::binary(payload(size))).collect();
    for message in &sent {
        client.send(message.clone()).unwrap();
    }
    let read = incoming.by_ref().map(|(_session, message)| message).take(sent.len());
    let got: Vec<Message> = tokio::time::timeout(GUARD, read.collect()).await.unwrap();
    assert_eq!(got, sent);
}

fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|index| (index % 251) as u8).collect()
}
