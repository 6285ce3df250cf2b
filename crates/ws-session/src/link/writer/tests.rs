//! Unit tests of the batching `Outgoing` sink and the writer task.

use super::*;
use crate::link::encode::Outbound;
use futures::channel::mpsc::unbounded as sink_channel;

#[tokio::test]
async fn fed_messages_reach_the_writer_as_one_batch_on_flush() {
    let (sender, mut receiver) = unbounded();
    let mut out = Outgoing { sender, fed: Vec::new() };
    out.feed(Outbound::Ready(Message::text("a"))).await.unwrap();
    out.feed(Outbound::Ready(Message::text("b"))).await.unwrap();
    assert!(receiver.try_recv().is_err(), "nothing leaves before the flush");
    out.flush().await.unwrap();
    assert_eq!(receiver.try_recv().unwrap(), vec![Message::text("a"), Message::text("b")]);
    out.flush().await.unwrap();
    assert!(receiver.try_recv().is_err(), "an empty flush sends no batch");
}

#[tokio::test]
async fn a_clone_collects_its_own_batch() {
    let (sender, mut receiver) = unbounded();
    let mut out = Outgoing { sender, fed: Vec::new() };
    out.feed(Outbound::Ready(Message::text("a"))).await.unwrap();
    let mut other = out.clone();
    other.send(Outbound::Ready(Message::text("b"))).await.unwrap();
    out.close().await.unwrap();
    assert_eq!(receiver.try_recv().unwrap(), vec![Message::text("b")]);
    assert_eq!(receiver.try_recv().unwrap(), vec![Message::text("a")]);
}

#[tokio::test]
async fn a_gone_writer_is_an_error() {
    let (sender, receiver) = unbounded();
    let mut out = Outgoing { sender, fed: Vec::new() };
    drop(receiver);
    assert!(out.is_closed());
    assert_eq!(out.send(Outbound::Ready(Message::text("a"))).await, Err(WriterGone));
    assert!(out.unbounded_send(Message::text("b")).is_err());
}

#[tokio::test]
async fn the_writer_writes_everything_in_order_then_closes_the_sink() {
    let (sink, mut written) = sink_channel::<Message>();
    let (out, writer) = spawn_writer(
        sink,
        Some(Message::text("welcome")),
        Broken { token: crate::link::LinkToken::new(), side: Side::Server },
    );
    let mut flusher = out.clone();
    flusher.feed(Outbound::Ready(Message::text("1"))).await.unwrap();
    flusher.feed(Outbound::Ready(Message::text("2"))).await.unwrap();
    flusher.flush().await.unwrap();
    out.unbounded_send(Message::text("ack")).unwrap();
    out.close_channel();
    writer.await.unwrap();
    let all: Vec<Message> = written.by_ref().collect().await;
    let expected = ["welcome", "1", "2", "ack"].map(Message::text);
    assert_eq!(all, expected);
}

#[tokio::test]
async fn a_failed_write_cancels_broken() {
    let (sink, written) = sink_channel::<Message>();
    drop(written);
    let broken = crate::link::LinkToken::new();
    let (out, writer) =
        spawn_writer(sink, None, Broken { token: broken.clone(), side: Side::Client });
    out.unbounded_send(Message::text("lost")).unwrap();
    writer.await.unwrap();
    assert!(broken.is_cancelled());
}

#[test]
fn a_failed_write_is_counted_with_its_side() {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    for side in [Side::Server, Side::Client, Side::Client] {
        let (_sender, receiver) = unbounded();
        let broken = crate::link::LinkToken::new();
        let refused = super::super::refusal::after_refusal(false, receiver, &broken, side);
        let done =
            metrics::with_local_recorder(&recorder, || futures::FutureExt::now_or_never(refused));
        assert!(done.is_some(), "a failed write is handled at once");
        assert!(broken.is_cancelled());
    }
    let counts =
        crate::testing::counters_by(&snapshotter, "ws_reliability_write_failures_total", "side");
    assert_eq!((counts.get("server"), counts.get("client")), (Some(&1), Some(&2)), "{counts:?}");
}

/// A server and a client tokio-tungstenite socket over loopback, past the handshake.
async fn loopback_pair() -> (
    tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::spawn(async move {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp).await.unwrap().0
    });
    let (tcp, _) = listener.accept().await.unwrap();
    let server = tokio_tungstenite::accept_async(tcp).await.unwrap();
    (server, client.await.unwrap())
}

#[tokio::test]
async fn a_write_refused_after_the_peers_close_still_answers_the_close() {
    let (mut server, client) = loopback_pair().await;
    let (sink, mut stream) = client.split();
    let broken = crate::link::LinkToken::new();
    let (out, writer) =
        spawn_writer(sink, None, Broken { token: broken.clone(), side: Side::Client });
    server.close(None).await.unwrap();
    assert!(matches!(stream.next().await, Some(Ok(Message::Close(_)))), "the peer's close");
    out.unbounded_send(Message::text("queued after the close was read")).unwrap();
    out.close_channel();
    writer.await.unwrap();
    drop(stream);
    assert!(!broken.is_cancelled(), "a refusal while closing is no failure");
    let answer = tokio::time::timeout(GUARD, server.next()).await.unwrap();
    assert!(matches!(answer, Some(Ok(Message::Close(_)))), "the close answered: {answer:?}");
}

/// The failure guard of a wait, far above any expected duration.
const GUARD: std::time::Duration = std::time::Duration::from_secs(20);
