//! Unit tests of [`SessionSink`] on a session without a connection: the outbox is flushed
//! into a drain and acked by hand, so backpressure is exact and the clock can be paused.

use super::{SessionSink, SINK_BUFFER};
use crate::error::Error;
use crate::protocol::{Mode, SessionId};
use crate::server::session::SessionState;
use crate::server::{ServerConfig, SessionServer};
use futures::{FutureExt, Sink, SinkExt};
use metrics_util::debugging::DebuggingRecorder;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn server(max_unacked: u64) -> SessionServer {
    let mut config = ServerConfig::default();
    config.limits.max_unacked = max_unacked;
    config.limits.max_payload = 16;
    SessionServer::new(config)
}

/// A live wsr.v1 session of `server`, as a HELLO would open it.
fn open(server: &SessionServer) -> Arc<SessionState> {
    let inner = &server.inner;
    let session = SessionState::new(
        Mode::V1,
        Default::default(),
        &inner.config,
        inner.sessions.outbox_base(),
    );
    let session = Arc::new(session.unwrap());
    inner.sessions.insert(Arc::clone(&session));
    session
}

fn sink_to(server: &SessionServer) -> (SessionSink, Arc<SessionState>) {
    let session = open(server);
    (server.sink(session.id).unwrap(), session)
}

/// Sends the outbox's due messages (into a drain) and acks up to `seq`: room is freed.
async fn deliver_and_ack(session: &SessionState, seq: u64) {
    session.outbox.flush(&mut futures::sink::drain()).await.unwrap();
    session.outbox.ack(seq).unwrap();
}

/// `ws_reliability_send_refused_total` by `reason` in one snapshot of `recorder` (a
/// snapshot resets the counters it reads).
fn refused_counts(recorder: &DebuggingRecorder) -> HashMap<String, u64> {
    let name = "ws_reliability_send_refused_total";
    crate::testing::counters_by(&recorder.snapshotter(), name, "reason")
}

#[tokio::test]
async fn a_sink_to_an_unknown_session_is_refused_without_a_message() {
    let server = server(4);
    let unknown = SessionId::from_bytes([3; 16]);
    let refused = server.sink(unknown).unwrap_err();
    assert!(matches!(refused, Error::SessionNotFound { session } if session == unknown));
    assert_eq!(refused.label(), "session_not_found");
    assert_eq!(refused.into_message(), None);
}

#[tokio::test]
async fn fed_messages_are_queued_in_order_and_accounted_like_send_wait() {
    let server = server(8);
    let (mut sink, session) = sink_to(&server);
    assert_eq!(sink.session(), session.id);
    for n in 0..3 {
        sink.feed(Message::text(n.to_string())).await.unwrap();
    }
    sink.flush().await.unwrap();
    assert_eq!(session.outbox.stats().len(), 3);
    assert_eq!(session.last_pushed(), 3);
    assert!(sink.run.stored.is_empty() && sink.waiting.is_none());
}

#[tokio::test]
async fn fed_messages_wait_in_the_sink_until_a_flush_or_a_full_buffer() {
    let server = server(1024);
    let (mut sink, session) = sink_to(&server);
    for n in 0..SINK_BUFFER {
        sink.feed(Message::text(n.to_string())).await.unwrap();
    }
    assert_eq!(session.outbox.stats().len(), 0, "fed, not flushed");
    sink.feed(Message::text("one more")).await.unwrap();
    assert_eq!(session.outbox.stats().len(), SINK_BUFFER, "a full buffer moved at once");
    sink.flush().await.unwrap();
    assert_eq!(session.last_pushed(), SINK_BUFFER as u64 + 1);
}

#[tokio::test]
async fn poll_ready_pends_on_a_full_outbox_and_resumes_once_acks_free_room() {
    let server = server(2);
    let (mut sink, session) = sink_to(&server);
    sink.send(Message::text("1")).await.unwrap();
    sink.send(Message::text("2")).await.unwrap();
    let mut third = sink.send(Message::text("3"));
    assert!(futures::poll!(&mut third).is_pending(), "the outbox is full");
    assert!(futures::poll!(&mut third).is_pending(), "still full: no busy loop needed");
    deliver_and_ack(&session, 1).await;
    third.await.unwrap();
    assert_eq!(session.last_pushed(), 3);
    assert!(sink.spare.is_some(), "the wait's box is kept for the next wait");
}

#[tokio::test]
async fn a_second_wait_reuses_the_box_of_the_first() {
    let server = server(1);
    let (mut sink, session) = sink_to(&server);
    sink.send(Message::text("1")).await.unwrap();
    for seq in 1..3 {
        let mut next = sink.send(Message::text("next"));
        assert!(futures::poll!(&mut next).is_pending());
        deliver_and_ack(&session, seq).await;
        next.await.unwrap();
    }
    assert_eq!(session.last_pushed(), 3);
}

#[tokio::test]
async fn an_ended_session_hands_the_message_back_when_accepting() {
    let server = server(4);
    let (mut sink, session) = sink_to(&server);
    session.end();
    let refused = sink.send(Message::text("late")).await.unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { session: id, .. } if id == session.id));
    assert_eq!(refused.into_message(), Some(Message::text("late")));
    assert_eq!(session.outbox.stats().len(), 0);
}

#[tokio::test]
async fn a_session_that_ends_before_the_push_hands_the_message_back() {
    let server = server(4);
    let (mut sink, session) = sink_to(&server);
    Pin::new(&mut sink).start_send(Message::text("held")).unwrap();
    session.end();
    let refused = sink.flush().await.unwrap_err();
    assert_eq!(refused.into_message(), Some(Message::text("held")));
    assert!(sink.run.stored.is_empty());
    assert_eq!(session.outbox.stats().len(), 0);
}

#[tokio::test]
async fn every_message_held_for_an_ended_session_comes_back_in_order() {
    let server = server(8);
    let (mut sink, session) = sink_to(&server);
    for text in ["a", "b", "c"] {
        sink.feed(Message::text(text)).await.unwrap();
    }
    session.end();
    for text in ["a", "b", "c"] {
        assert_eq!(sink.flush().await.unwrap_err().into_message(), Some(Message::text(text)));
    }
    sink.flush().await.unwrap();
    assert_eq!(session.outbox.stats().len(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_session_that_ends_while_the_sink_waits_for_room_hands_the_message_back() {
    let server = server(1);
    let (mut sink, session) = sink_to(&server);
    sink.send(Message::text("first")).await.unwrap();
    let mut waiting = sink.send(Message::text("waiting"));
    assert!(futures::poll!(&mut waiting).is_pending());
    session.end();
    tokio::time::advance(Duration::from_millis(300)).await;
    let refused = waiting.await.unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { .. }));
    assert_eq!(refused.into_message(), Some(Message::text("waiting")));
    assert_eq!(session.last_pushed(), 1);
}

#[tokio::test]
async fn control_and_oversized_messages_are_handed_back() {
    let server = server(4);
    let (mut sink, _session) = sink_to(&server);
    let ping = sink.send(Message::Ping(Default::default())).await.unwrap_err();
    assert!(matches!(ping, Error::NotData { message: Message::Ping(_) }));
    let large = Message::binary(vec![0; 17]);
    let refused = sink.send(large.clone()).await.unwrap_err();
    assert!(matches!(refused, Error::TooLarge { size: 17, limit: 16, .. }));
    assert_eq!(refused.into_message(), Some(large));
    sink.send(Message::text("fits")).await.unwrap();
}

#[tokio::test]
async fn start_send_past_a_full_buffer_without_poll_ready_hands_the_message_back() {
    let server = server(1024);
    let (mut sink, session) = sink_to(&server);
    for n in 0..SINK_BUFFER {
        Pin::new(&mut sink).start_send(Message::text(n.to_string())).unwrap();
    }
    let refused = Pin::new(&mut sink).start_send(Message::text("over")).unwrap_err();
    assert!(matches!(refused, Error::NotReady { .. }));
    assert_eq!(refused.label(), "not_ready");
    assert_eq!(refused.into_message(), Some(Message::text("over")));
    sink.close().await.unwrap();
    assert_eq!(session.outbox.stats().len(), SINK_BUFFER);
}

#[test]
fn refusals_and_a_sink_dropped_with_a_message_are_counted() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _entered = runtime.enter();
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let server = server(4);
        let (mut sink, _session) = sink_to(&server);
        let refused = Pin::new(&mut sink).start_send(Message::Pong(Default::default()));
        assert!(refused.is_err());
        Pin::new(&mut sink).start_send(Message::text("never flushed")).unwrap();
        Pin::new(&mut sink).start_send(Message::text("nor this")).unwrap();
        drop(sink);
    });
    let counts = refused_counts(&recorder);
    assert_eq!(counts.get("not_data"), Some(&1));
    assert_eq!(counts.get("sink_dropped"), Some(&2));
}

#[test]
fn a_sink_dropped_while_waiting_for_room_is_counted() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let server = server(1);
        let (mut sink, session) = runtime.block_on(async { sink_to(&server) });
        runtime.block_on(sink.send(Message::text("first"))).unwrap();
        assert!(runtime.block_on(async { sink.send(Message::text("x")).now_or_never() }).is_none());
        assert!(sink.waiting.is_some());
        drop(sink);
        assert_eq!(session.outbox.stats().len(), 1);
    });
    assert_eq!(refused_counts(&recorder).get("sink_dropped"), Some(&1));
}

#[tokio::test]
async fn an_empty_sink_dropped_counts_nothing() {
    let recorder = DebuggingRecorder::new();
    let server = server(4);
    let (mut sink, _session) = sink_to(&server);
    sink.send(Message::text("sent")).await.unwrap();
    metrics::with_local_recorder(&recorder, || drop(sink));
    assert_eq!(refused_counts(&recorder).get("sink_dropped"), None);
}
