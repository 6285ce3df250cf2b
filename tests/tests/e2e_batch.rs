//! BATCH frames over real sockets (`docs/protocol.md` § 3.7): a client that accepts them
//! receives runs of small messages packed, a client that does not receives only DATA, and
//! a ReliableClient and ReliableServer (which both accept them) move many small messages
//! both ways exactly once and in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::SinkExt;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::*;
use ws_reliability::server::{ReliableServer, ServerConfig};

/// Opens a raw session (accepting BATCH or not), has the server send `count` numbered
/// messages, and returns the frames they arrived in, with the socket.
async fn pushed_frames(batch: bool, count: usize) -> Vec<Frame> {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut events = server.events();
    let (welcome, mut ws) =
        raw_hello(listener.local_addr(), Hello { batch, ..Hello::default() }).await;
    let Frame::Welcome(welcome) = welcome else { panic!("expected welcome, got {welcome:?}") };
    assert!(welcome.batch, "the server accepts BATCH");
    let session = opened(&mut events).await;
    tokio::spawn(send_small(server, session, count));
    collect(&mut ws, count).await
}

/// Small numbered messages, well under the 118 bytes the sender packs.
fn small(count: usize) -> Vec<String> {
    (0..count).map(|index| format!("m{index}")).collect()
}

async fn send_small(server: ReliableServer, session: SessionId, count: usize) {
    for text in small(count) {
        server.send_wait(session, Message::text(text)).await.unwrap();
    }
}

/// Reads frames until `count` messages arrived; acks them as it goes.
async fn collect(ws: &mut Raw, count: usize) -> Vec<Frame> {
    let (mut frames, mut received) = (Vec::new(), 0);
    while received < count {
        let frame = next_frame(ws).await;
        received += data_of(&frame).len();
        ws.send(to_message(&Frame::Ack(received as u64))).await.unwrap();
        frames.push(frame);
    }
    frames
}

/// The DATA messages a frame carries (BATCH entries unrolled).
fn data_of(frame: &Frame) -> Vec<Data> {
    match frame.clone() {
        Frame::Data(data) => vec![data],
        Frame::Batch(batch) => batch.into_data().collect(),
        _ => Vec::new(),
    }
}

fn texts(frames: &[Frame]) -> Vec<String> {
    let data = frames.iter().flat_map(data_of);
    data.map(|data| String::from_utf8(data.payload.as_bytes().to_vec()).unwrap()).collect()
}

// [M5.1] the server numbers its messages 1, 2, 3, ...
#[tokio::test]
async fn a_client_that_accepts_batch_gets_small_messages_packed_in_order() {
    let frames = guarded("batch", pushed_frames(true, 500)).await;
    assert_eq!(texts(&frames), small(500));
    let seqs: Vec<u64> = frames.iter().flat_map(data_of).map(|data| data.seq).collect();
    assert_eq!(seqs, (1..=500).collect::<Vec<_>>());
    assert!(frames
        .iter()
        .any(|frame| matches!(frame, Frame::Batch(batch) if batch.payloads.len() > 1)));
    assert!(frames.len() < 500, "{} frames for 500 messages", frames.len());
}

// [M3.8] no BATCH to a client that did not announce it
#[tokio::test]
async fn a_client_that_does_not_accept_batch_gets_only_data() {
    let frames = guarded("no batch", pushed_frames(false, 300)).await;
    assert_eq!(texts(&frames), small(300));
    assert!(frames.iter().all(|frame| matches!(frame, Frame::Data(_))));
}

#[tokio::test]
async fn reliable_ends_move_small_messages_both_ways_exactly_once() {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut incoming = server.incoming().unwrap();
    let client =
        ws_reliability::client::ReliableClient::start(&url(listener.local_addr()), client_config())
            .unwrap();
    let session = connected(&client).await;
    for text in small(1000) {
        client.send(Message::text(text)).unwrap();
    }
    tokio::spawn(send_small(server.clone(), session, 3000));
    let mut from_server = client.incoming().unwrap();
    assert_eq!(take(&mut from_server, 3000).await, small(3000));
    let at_server = guarded("client to server", take_pairs(&mut incoming, 1000)).await;
    assert_eq!(at_server, small(1000).into_iter().map(Message::text).collect::<Vec<_>>());
}

async fn take_pairs(incoming: &mut ws_reliability::server::Incoming, count: usize) -> Vec<Message> {
    use futures::StreamExt;
    let mut messages = Vec::with_capacity(count);
    while messages.len() < count {
        messages.push(incoming.next().await.unwrap().1);
    }
    messages
}
