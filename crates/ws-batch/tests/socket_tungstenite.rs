//! Over a real tokio-tungstenite loopback socket (127.0.0.1:0): the split sink plugs in
//! directly, sequence numbers ride in the frames, cumulative acks come back, and a reconnect
//! resends every unacked message first, with its number, so nothing is lost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use ws_batch::{Confirmation, Flusher, Outbox, OutboxConfig, OutboxError, SendFailure};

type ServerSocket = WebSocketStream<TcpStream>;
type ClientSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;
type ServerSink = SplitSink<ServerSocket, Message>;

/// A guard against a hang, not a timing assertion.
const GUARD: Duration = Duration::from_secs(20);

async fn connect(listener: &TcpListener) -> (ServerSocket, ClientSocket) {
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let client =
        tokio::spawn(async move { tokio_tungstenite::connect_async(url).await.unwrap().0 });
    let (tcp, _) = listener.accept().await.unwrap();
    let server = tokio_tungstenite::accept_async(tcp).await.unwrap();
    (server, client.await.unwrap())
}

fn encode(seq: u64, text: &String) -> Message {
    Message::text(format!("{seq}:{text}"))
}

/// The server's reader: every `ack:N` frame from the peer becomes `outbox.ack(N)`.
fn read_acks(
    outbox: Outbox<String>,
    mut stream: SplitStream<ServerSocket>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(Ok(Message::Text(text))) = stream.next().await {
            let seq = text.strip_prefix("ack:").unwrap().parse().unwrap();
            outbox.ack(seq).unwrap();
        }
    })
}

/// One session of the server: a flusher over the sink and a reader of acks.
fn serve(
    outbox: &Outbox<String>,
    socket: ServerSocket,
) -> (Flusher<ServerSink>, tokio::task::JoinHandle<()>) {
    let (sink, stream) = socket.split();
    (Flusher::spawn_with(outbox.clone(), sink, encode), read_acks(outbox.clone(), stream))
}

async fn receive(client: &mut ClientSocket, count: usize) -> Vec<(u64, String)> {
    let mut frames = Vec::new();
    while frames.len() < count {
        let text = client.next().await.unwrap().unwrap().into_text().unwrap();
        let (seq, body) = text.split_once(':').unwrap();
        frames.push((seq.parse().unwrap(), body.to_string()));
    }
    frames
}

async fn until_depth(outbox: &Outbox<String>, depth: usize) {
    while outbox.stats().len() != depth {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn push(outbox: &Outbox<String>, range: std::ops::Range<usize>) {
    range.for_each(|index| {
        outbox.push(format!("m{index}")).unwrap();
    });
}

#[tokio::test]
async fn unacked_messages_are_resent_in_order_after_a_reconnect() {
    timeout(GUARD, reconnect_scenario()).await.expect("scenario finished");
}

async fn reconnect_scenario() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = OutboxConfig::default()
        .with_confirmation(Confirmation::Ack)
        .with_flush_interval(Duration::from_millis(5));
    let (outbox, mut dead) = Outbox::with_dead_letter_channel(config);

    let (server, mut first) = connect(&listener).await;
    let (flusher, reader) = serve(&outbox, server);
    push(&outbox, 0..5);
    let frames = receive(&mut first, 5).await;
    assert_eq!(frames.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    first.send(Message::text("ack:3")).await.unwrap();
    until_depth(&outbox, 2).await;
    drop(first);
    reader.await.unwrap();

    let _old_sink = flusher.stop().await.unwrap();
    assert_eq!(outbox.requeue_unacked().await, 2);
    push(&outbox, 5..7);

    let (server, mut second) = connect(&listener).await;
    let (flusher, _reader) = serve(&outbox, server);
    let frames = receive(&mut second, 4).await;
    let expected = [(4, "m3"), (5, "m4"), (6, "m5"), (7, "m6")];
    assert_eq!(frames, expected.map(|(seq, text)| (seq, text.to_string())).to_vec());
    second.send(Message::text("ack:7")).await.unwrap();
    until_depth(&outbox, 0).await;
    let _old_sink = flusher.stop().await.unwrap();
    assert!(dead.try_recv().is_err());
}

#[tokio::test]
async fn a_closed_socket_fails_the_flush_and_the_next_socket_gets_everything() {
    timeout(GUARD, closed_socket_scenario()).await.expect("scenario finished");
}

async fn closed_socket_scenario() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (outbox, _dead) = Outbox::with_dead_letter_channel(OutboxConfig::default());
    let (server, _first) = connect(&listener).await;
    let (mut sink, _stream) = server.split();
    sink.close().await.unwrap();
    push(&outbox, 0..3);
    let error = outbox.flush_with(&mut sink, encode).await.unwrap_err();
    assert!(matches!(error, OutboxError::Flush(SendFailure::Transport(_))), "{error}");
    assert_eq!(outbox.stats().pending, 3, "all retained");
    assert!(outbox.snapshot().iter().all(|entry| entry.attempts == 1));

    let (server, mut second) = connect(&listener).await;
    let (mut sink, _stream) = server.split();
    while !outbox.stats().is_empty() {
        let _ = outbox.flush_with(&mut sink, encode).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let frames = receive(&mut second, 3).await;
    assert_eq!(frames.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[tokio::test]
async fn plain_messages_flow_through_the_split_sink_unchanged() {
    timeout(GUARD, plain_scenario()).await.expect("scenario finished");
}

async fn plain_scenario() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = OutboxConfig::default().with_flush_interval(Duration::from_millis(5));
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    let (server, mut client) = connect(&listener).await;
    let (sink, _stream) = server.split();
    let flusher = Flusher::spawn(outbox.clone(), sink);
    outbox.push(Message::binary(vec![7u8; 64])).unwrap();
    outbox.push(Message::text("after")).unwrap();
    assert_eq!(client.next().await.unwrap().unwrap(), Message::binary(vec![7u8; 64]));
    assert_eq!(client.next().await.unwrap().unwrap(), Message::text("after"));
    let mut sink = flusher.stop().await.unwrap();
    sink.close().await.unwrap();
    assert!(matches!(client.next().await, Some(Ok(Message::Close(_))) | None));
    assert!(outbox.stats().is_empty());
}
