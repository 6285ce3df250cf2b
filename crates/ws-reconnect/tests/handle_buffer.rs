//! The client handle: bounded buffering while disconnected, the typed error that hands the
//! message back, delivery after the reconnect, the `Sink`, shutdown, and the metrics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{events_until, MemoryServer};
use futures::{SinkExt, StreamExt};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::time::Duration;
use ws_reconnect::{
    metrics, Backoff, Event, Message, ReconnectConfig, ReconnectError, Reconnector, StopReason,
};

const LIMIT: Duration = Duration::from_secs(600);

fn config(send_buffer: usize) -> ReconnectConfig {
    let mut config = ReconnectConfig::default();
    config.backoff = Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(1));
    config.buffers.send = send_buffer;
    config
}

#[tokio::test(start_paused = true)]
async fn a_full_buffer_hands_the_message_back_and_shutdown_returns_the_unsent() {
    let (server, _accepted) = MemoryServer::new();
    server.set_up(false);
    let client = Reconnector::new(server.connector(0), config(2)).spawn();
    let handle = client.handle();
    handle.send(Message::text("a")).unwrap();
    handle.send(Message::text("b")).unwrap();
    let error = handle.send(Message::text("c")).unwrap_err();
    assert_eq!(error.to_string(), "send buffer is full (2 messages)");
    assert!(matches!(&error, ReconnectError::BufferFull { capacity: 2, .. }));
    assert_eq!(error.into_message(), Some(Message::text("c")));
    assert_eq!(handle.buffered(), 2);
    let stopped = client.shutdown().await;
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert_eq!(stopped.unsent, vec![Message::text("a"), Message::text("b")]);
    assert!(handle.is_stopped());
    let error = handle.send(Message::text("d")).unwrap_err();
    assert_eq!(error.to_string(), "reconnector has stopped");
    assert_eq!(error.into_message(), Some(Message::text("d")));
}

#[tokio::test(start_paused = true)]
async fn sends_through_the_sink_wait_for_the_reconnect_and_arrive_in_order() {
    let (server, mut accepted) = MemoryServer::new();
    server.set_up(false);
    let reconnector = Reconnector::new(server.connector(0), config(8));
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    let mut sink = client.handle().sink();
    for text in ["x", "y", "z"] {
        sink.send(Message::text(text)).await.unwrap();
    }
    events_until(&mut events, LIMIT, |event| matches!(event, Event::ConnectFailed { .. })).await;
    server.set_up(true);
    let (_id, mut socket) = accepted.recv().await.unwrap();
    for text in ["x", "y", "z"] {
        assert_eq!(socket.next().await.unwrap().unwrap(), Message::text(text));
    }
    sink.close().await.unwrap();
    let stopped = client.shutdown().await;
    assert!(stopped.unsent.is_empty());
    let closed = sink.send(Message::text("late")).await.unwrap_err();
    assert!(matches!(closed, ReconnectError::Stopped { message: None }));
}

#[tokio::test(start_paused = true)]
async fn dropping_every_handle_ends_the_loop_cleanly() {
    let (server, mut accepted) = MemoryServer::new();
    let reconnector = Reconnector::new(server.connector(0), config(8));
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    let (_id, mut socket) = accepted.recv().await.unwrap();
    drop(client);
    events_until(&mut events, LIMIT, |event| *event == Event::ShutDown).await;
    assert!(matches!(socket.next().await, Some(Ok(Message::Close(Some(_))))));
}

/// A recorded metric: name, labels, value.
type Recorded = (String, Vec<(String, String)>, DebugValue);

fn counter(snapshot: &[Recorded], name: &str) -> u64 {
    let values = snapshot.iter().filter(|(key, ..)| key == name);
    values.map(|(.., value)| if let DebugValue::Counter(count) = value { *count } else { 0 }).sum()
}

#[test]
fn attempts_successes_give_ups_and_time_to_reconnect_are_recorded() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    ::metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let (server, mut accepted) = MemoryServer::new();
            let mut config = config(1);
            config.limits.max_attempts = Some(2);
            let client = Reconnector::new(server.connector(0), config).spawn();
            let (_id, socket) = accepted.recv().await.unwrap();
            drop(socket);
            let (_id, socket) = accepted.recv().await.unwrap();
            server.set_up(false);
            drop(socket);
            client.handle().send(Message::text("kept")).unwrap();
            assert!(client.handle().send(Message::text("refused")).is_err());
            assert_eq!(client.wait().await.unsent, vec![Message::text("kept")]);
        });
    });
    let snapshot: Vec<Recorded> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let labels =
                key.key().labels().map(|l| (l.key().to_owned(), l.value().to_owned())).collect();
            (key.key().name().to_owned(), labels, value)
        })
        .collect();
    assert_eq!(counter(&snapshot, metrics::ATTEMPTS_TOTAL), 2, "an unhealthy connection counts");
    assert_eq!(counter(&snapshot, metrics::SUCCESSES_TOTAL), 2);
    assert_eq!(counter(&snapshot, metrics::GIVE_UPS_TOTAL), 1);
    assert_eq!(counter(&snapshot, metrics::DISCONNECTS_TOTAL), 2);
    assert_eq!(counter(&snapshot, metrics::SENDS_REJECTED_TOTAL), 1);
    assert_eq!(counter(&snapshot, metrics::UNSENT_MESSAGES_TOTAL), 1, "\"kept\" never left");
    let give_up = snapshot.iter().find(|(name, ..)| name == metrics::GIVE_UPS_TOTAL).unwrap();
    assert_eq!(give_up.1, vec![("reason".to_owned(), "max_attempts".to_owned())]);
    let histogram = snapshot.iter().find(|(name, ..)| name == metrics::TIME_TO_RECONNECT_SECONDS);
    assert!(
        matches!(histogram, Some((_, _, DebugValue::Histogram(samples))) if samples.len() == 1)
    );
}

#[tokio::test(start_paused = true)]
async fn a_message_sent_as_the_connection_dies_arrives_on_the_next_one() {
    let (server, mut accepted) = MemoryServer::new();
    let client = Reconnector::new(server.connector(0), config(8)).spawn();
    let (_id, socket) = accepted.recv().await.unwrap();
    drop(socket);
    client.handle().send(Message::text("in flight")).unwrap();
    let (_id, mut socket) = accepted.recv().await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Message::text("in flight"));
    assert!(client.shutdown().await.unsent.is_empty());
}

#[tokio::test(start_paused = true)]
async fn dropping_every_handle_while_the_server_is_down_stops_the_retries() {
    let (server, _accepted) = MemoryServer::new();
    server.set_up(false);
    let reconnector = Reconnector::new(server.connector(0), config(8));
    let mut events = reconnector.subscribe();
    drop(reconnector.spawn());
    events_until(&mut events, LIMIT, |event| *event == Event::ShutDown).await;
    assert!(server.connects().len() <= 2, "stopped at the next pause");
}
