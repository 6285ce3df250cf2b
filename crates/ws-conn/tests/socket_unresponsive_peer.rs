//! Real tokio-tungstenite sockets on loopback: a peer that stops reading and answering is
//! closed under a timeout, failed, force-closed by the sweeper (or by a graceful shutdown
//! whose grace runs out), and its socket released.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use ws_conn::{CloseFrame, ConnConfig, ConnError, ConnEvent, ConnState, ForceCause, Registry};

mod common;

use common::sockets::pair;

#[tokio::test]
async fn a_peer_that_stops_reading_is_failed_swept_and_released() {
    // The peer finished its handshake and now neither reads nor answers.
    let (server, mut peer) = pair().await;

    let mut config = ConnConfig::default();
    config.close_timeout = Duration::from_millis(300);
    let registry = Registry::new(config);
    let mut events = registry.subscribe();
    let admission = registry.admit().unwrap();
    let (conn, mut sink, mut stream) = ws_conn::tungstenite::split(server, admission.activity());
    let id = admission.register(conn).id();
    let reader = tokio::spawn(async move { while stream.next().await.is_some() {} });
    registry.track_task(id, reader.abort_handle()).unwrap();

    // Fill the socket's buffers until a send stalls: the peer is not reading.
    let chunk = Message::binary(vec![7_u8; 1 << 20]);
    let mut stalled = false;
    for _ in 0..256 {
        let send = tokio::time::timeout(Duration::from_millis(200), sink.send(chunk.clone()));
        if send.await.is_err() {
            stalled = true;
            break;
        }
    }
    assert!(stalled, "a peer that does not read must stall the writer");

    // The close frame cannot get through and no answer comes: timeout, then Failed.
    let error = registry.close(id, CloseFrame::normal()).await.unwrap_err();
    assert!(matches!(error, ConnError::CloseTimedOut { .. }), "{error}");
    assert_eq!(registry.state(id), Some(ConnState::Failed));

    // The sweeper force-closes and removes it; the socket is released.
    assert_eq!(registry.sweep_once().failed, 1);
    assert!(registry.is_empty());
    let seen: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    assert_eq!(seen.last(), Some(&ConnEvent::ForceClosed { id, cause: ForceCause::Failed }));
    let reader_end = reader.await;
    assert!(reader_end.is_ok() || reader_end.unwrap_err().is_cancelled(), "the reader is gone");
    assert!(sink.send(Message::text("after")).await.is_err(), "the write half is gone");

    // The peer, reading again, drains what was buffered and then sees the socket end.
    let drained = async {
        loop {
            match peer.next().await {
                // Buffered data (and, on a slow machine, a close frame that got out).
                Some(Ok(Message::Binary(_) | Message::Close(_))) => continue,
                ending => break ending,
            }
        }
    };
    let ending = tokio::time::timeout(Duration::from_secs(60), drained).await.unwrap();
    // Seen here: `ResetWithoutClosingHandshake`: the socket ended without a close frame.
    assert!(matches!(ending, None | Some(Err(_))), "the socket must end: {ending:?}");
}

#[tokio::test]
async fn shutdown_forces_a_real_peer_that_never_answers_and_releases_its_socket() {
    let (server, mut peer) = pair().await;
    let registry = Registry::new(ConnConfig::default());
    let admission = registry.admit().unwrap();
    let (conn, _sink, mut stream) = ws_conn::tungstenite::split(server, admission.activity());
    let id = admission.register(conn).id();
    let reader = tokio::spawn(async move { while stream.next().await.is_some() {} });
    registry.track_task(id, reader.abort_handle()).unwrap();
    let mut events = registry.subscribe();

    // The peer never polls, so the 1001 close is never answered: the grace runs out.
    let report = registry.shutdown(Duration::from_millis(200)).await;
    assert_eq!((report.closed, report.force_closed), (0, 1));
    assert!(registry.is_empty());
    let forced = ConnEvent::ForceClosed { id, cause: ForceCause::Shutdown };
    assert_eq!(std::iter::from_fn(|| events.try_recv().ok()).last(), Some(forced));

    // Reading at last, the peer finds the close frame and then the end of the socket.
    let ending = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match peer.next().await {
                Some(Ok(Message::Close(_))) => continue,
                ending => break ending,
            }
        }
    });
    let ending = ending.await.unwrap();
    assert!(matches!(ending, None | Some(Err(_))), "the socket must end: {ending:?}");
}
