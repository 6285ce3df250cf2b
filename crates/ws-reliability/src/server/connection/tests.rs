//! Connections over loopback: messages larger than the server's read buffer arrive whole.

use crate::protocol::{Limits, DEFAULT_CLIENT_READ_BUFFER_SIZE, DEFAULT_SERVER_READ_BUFFER_SIZE};

#[test]
fn the_server_reads_with_its_small_buffer_and_the_same_limits() {
    let limits = Limits::default();
    let (server, shared) = (limits.server_websocket_config(), limits.websocket_config());
    assert_eq!(server.read_buffer_size, DEFAULT_SERVER_READ_BUFFER_SIZE);
    assert!(server.read_buffer_size < shared.read_buffer_size);
    assert_eq!(server.max_message_size, shared.max_message_size);
    assert_eq!(server.write_buffer_size, shared.write_buffer_size);
}

#[test]
fn the_client_reads_with_its_large_buffer_and_the_same_limits() {
    let limits = Limits::default();
    let (client, shared) = (limits.client_websocket_config(), limits.websocket_config());
    assert_eq!(client.read_buffer_size, DEFAULT_CLIENT_READ_BUFFER_SIZE);
    assert!(client.read_buffer_size > shared.read_buffer_size);
    assert_eq!(client.max_message_size, shared.max_message_size);
    assert_eq!(client.write_buffer_size, shared.write_buffer_size);
}

#[cfg(feature = "reconnect")]
mod loopback {
    use super::DEFAULT_SERVER_READ_BUFFER_SIZE;
    use crate::client::{ClientConfig, ReliableClient};
    use crate::server::{ReliableServer, ServerConfig};
    use futures::StreamExt;
    use std::time::Duration;
    use tokio_tungstenite::tungstenite::Message;

    /// The failure guard of the wait, far above any expected duration.
    const GUARD: Duration = Duration::from_secs(20);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn messages_larger_than_the_read_buffer_arrive_whole_and_in_order() {
        let mut config = ServerConfig::default();
        config.incoming.mode = crate::server::IncomingMode::Shared;
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
}
