//! The client keeps to the server's window (`docs/protocol.md` § 6): a hand-written wsr.v1
//! server announces `max_unacked` 4 and acks nothing, so the client sends exactly 4
//! messages; each ack lets as many more out, in order. And a client's sink waits while the
//! outbox is full, until the server's ack makes room.
//!
//! "The client sent nothing more" is a negative claim, so these tests run over in-memory
//! duplex streams on tokio's paused clock: the clock only moves when every task is idle,
//! so a quarter of a second of silence means the client had nothing more to send, however
//! loaded the machine is.
#![cfg(all(feature = "batch", feature = "reconnect"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::DuplexStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::*;
use ws_reliability::Message;

type Socket = WebSocketStream<DuplexStream>;

/// The server's ends of the connections the client dials.
type Listener = mpsc::UnboundedReceiver<DuplexStream>;

/// A client whose every connection is an in-memory duplex stream; the listener yields the
/// server's ends.
fn client_over_duplex() -> (ReliableClient, Listener) {
    let (accepted, listener) = mpsc::unbounded_channel();
    let dial = move || {
        let (near, far) = tokio::io::duplex(64 * 1024);
        let sent = accepted.send(far).map_err(|_| std::io::ErrorKind::NotConnected.into());
        async move { sent.map(|()| near) }
    };
    (ReliableClient::with_dialer("ws://test/", ClientConfig::default(), dial), listener)
}

/// Accepts the client, reads its HELLO and answers a WELCOME with a window of `window`.
async fn welcome_with_window(listener: &mut Listener, window: u64) -> Socket {
    let stream = listener.recv().await.unwrap();
    let (mut socket, _mode) = accept(stream, None).await.unwrap();
    let Frame::Hello(_) = next_frame(&mut socket).await.unwrap() else { panic!("no hello") };
    let limits = Limits { max_unacked: window, ..Limits::default() };
    let (session, token) = (SessionId::generate().unwrap(), ResumeToken::generate().unwrap());
    let welcome = Welcome { resumed: false, session, token, last_received: 0, limits, batch: true };
    socket.send(to_message(&Frame::Welcome(welcome))).await.unwrap();
    socket
}

/// The next frame, or `None` when nothing comes within a quarter of a second of the paused
/// clock (which moves only once every task is idle).
async fn next_frame(socket: &mut Socket) -> Option<Frame> {
    loop {
        let message = tokio::time::timeout(Duration::from_millis(250), socket.next()).await;
        let message = message.ok()?.unwrap().unwrap();
        if let Some(frame) = from_message(&message, &Limits::default()).unwrap() {
            return Some(frame);
        }
    }
}

/// The sequence numbers of the DATA that arrive until the client goes quiet.
async fn sent_until_quiet(socket: &mut Socket) -> Vec<u64> {
    let mut seqs = Vec::new();
    while let Some(frame) = next_frame(socket).await {
        match frame {
            Frame::Data(data) => seqs.push(data.seq),
            Frame::Batch(batch) => seqs.extend(batch.into_data().map(|data| data.seq)),
            _ => {}
        }
    }
    seqs
}

// [M6.3] the client keeps to the window
#[tokio::test(start_paused = true)]
async fn the_client_sends_no_more_than_the_window_until_acked() {
    let (client, mut listener) = client_over_duplex();
    for n in 0..10 {
        client.send(Message::text(n.to_string())).unwrap();
    }
    let mut socket = welcome_with_window(&mut listener, 4).await;
    assert_eq!(sent_until_quiet(&mut socket).await, [1, 2, 3, 4]);
    socket.send(to_message(&Frame::Ack(3))).await.unwrap();
    assert_eq!(sent_until_quiet(&mut socket).await, [5, 6, 7]);
    socket.send(to_message(&Frame::Ack(7))).await.unwrap();
    assert_eq!(sent_until_quiet(&mut socket).await, [8, 9, 10]);
    drop(client.shutdown());
}

#[tokio::test(start_paused = true)]
async fn a_client_sink_waits_for_room_until_the_server_acks() {
    let (client, mut listener) = client_over_duplex();
    let client = Arc::new(client);
    let mut socket = welcome_with_window(&mut listener, DEFAULT_MAX_UNACKED).await;
    let total = DEFAULT_MAX_UNACKED + 6;
    let sending = Arc::clone(&client);
    let sender = tokio::spawn(async move {
        let mut sink = sending.sink();
        let mut messages =
            futures::stream::iter(0..total).map(|n| Ok(Message::text(n.to_string())));
        sink.send_all(&mut messages).await.unwrap();
    });
    let first: Vec<u64> = (1..=DEFAULT_MAX_UNACKED).collect();
    assert_eq!(sent_until_quiet(&mut socket).await, first, "a full outbox: the window");
    assert!(!sender.is_finished(), "the sink waits for room");
    socket.send(to_message(&Frame::Ack(DEFAULT_MAX_UNACKED))).await.unwrap();
    let rest: Vec<u64> = (DEFAULT_MAX_UNACKED + 1..=total).collect();
    assert_eq!(sent_until_quiet(&mut socket).await, rest);
    sender.await.unwrap();
    drop(Arc::into_inner(client).unwrap().shutdown());
}
