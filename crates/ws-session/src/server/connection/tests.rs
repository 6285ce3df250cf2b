//! The read buffers of both ends, and a resume racing its session's end, over loopback.

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

/// An idle connection holds its task for its whole life: tokio's task cell is the future
/// plus at most 128 bytes (header, scheduler, id, trailer, the discriminants of the accept
/// loop's `Either` and of the task's stage), in steps of 128. A release build's connection
/// future of 768 bytes measured an 896 B cell (heaptrack, `docs/learnings.md` § 38), one of
/// 840 to 896 bytes a 1 KiB cell (§ 35). The test build lays the future out larger than the
/// release build (784 here against 768 there), so the bound here is 784.
#[tokio::test]
async fn a_connection_future_fits_a_task_cell_of_896_bytes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let _client = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    let (stream, peer) = listener.accept().await.unwrap();
    let server = crate::server::SessionServer::new(crate::server::ServerConfig::default());
    let connection = server.serve_owned_stream(stream, peer);
    let size = std::mem::size_of_val(&connection);
    assert!(size <= 784, "a connection's future of {size} bytes needs a task cell over 896 B");
}

/// A resume that passed its checks but found its session ended when its turn came (an
/// eviction or expiry between the two) is answered SESSION_LOST 02, never a WELCOME into
/// an ended session, where what the client sent would be acked and then dropped.
mod resume_race {
    use crate::protocol::{connect, from_message, to_message, Frame, Hello, Limits, Resume};
    use crate::server::{IncomingMode, ServerConfig, SessionEvent, SessionServer};
    use crate::session_link::lock;
    use futures::{SinkExt, StreamExt};
    use std::time::Duration;
    use tokio::net::TcpStream;
    use tokio_tungstenite::tungstenite::Message;

    type Raw = tokio_tungstenite::WebSocketStream<TcpStream>;

    async fn hello(addr: std::net::SocketAddr, hello: Hello) -> Raw {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut ws, _mode) = connect(&format!("ws://{addr}/"), stream, None).await.unwrap();
        ws.send(to_message(&Frame::Hello(hello))).await.unwrap();
        ws
    }

    async fn next(ws: &mut Raw) -> Message {
        tokio::time::timeout(Duration::from_secs(20), ws.next()).await.unwrap().unwrap().unwrap()
    }

    #[tokio::test]
    async fn a_resume_that_races_its_sessions_end_is_answered_session_lost() {
        let mut config = ServerConfig::default();
        config.incoming.mode = IncomingMode::Shared;
        let server = SessionServer::new(config);
        let listener = crate::testing::serve_on_loopback(&server).await;
        let mut events = server.events();
        let mut first = hello(listener, Hello::default()).await;
        let Ok(Some(Frame::Welcome(welcome))) =
            from_message(&next(&mut first).await, &Limits::default())
        else {
            panic!("no welcome")
        };
        drop(first);
        while !matches!(events.recv().await.unwrap(), SessionEvent::Detached { .. }) {}
        let state = server.inner.sessions.get(&welcome.session).unwrap();
        let turn = state.serial().await; // the session held, as a connection still closing holds it
        let resume =
            Resume { session: welcome.session, token: welcome.token.clone(), last_received: 0 };
        let mut second = hello(listener, Hello { resume: Some(resume), ..Hello::default() }).await;
        while *lock(&state.guard).token() == welcome.token {
            tokio::time::sleep(Duration::from_millis(1)).await; // until the resume passed its checks
        }
        server.remove(&state, SessionEvent::Expired { session: welcome.session, unacked: 0 });
        drop(turn);
        let answer = from_message(&next(&mut second).await, &Limits::default()).unwrap();
        assert_eq!(answer, Some(Frame::SessionLost(crate::protocol::SessionLostReason::Expired)));
        let Message::Close(Some(close)) = next(&mut second).await else { panic!("no close") };
        assert_eq!(u16::from(close.code), 4000);
    }
}
