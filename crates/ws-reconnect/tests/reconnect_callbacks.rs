//! Callbacks in the reconnect loop: a handshake over the fresh connection, critical versus
//! warning failures, on-reconnected, and a breaker with its fallback across attempts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{events_until, kinds, MemoryServer, Ws};
use futures::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use ws_reconnect::{
    AttemptError, BreakerConfig, Callback, CallbackError, CallbackFailure, Criticality, Event,
    HookContext, Message, ReconnectConfig, Reconnector,
};

const LIMIT: Duration = Duration::from_secs(600);

/// Sends "hello" over the fresh connection and expects "welcome" back.
async fn handshake(context: HookContext<Ws>) -> Result<(), CallbackError> {
    let mut connection = context.connection().await.ok_or("no connection")?;
    connection.send(Message::text("hello")).await?;
    match connection.next().await {
        Some(Ok(Message::Text(text))) if text.as_str() == "welcome" => Ok(()),
        other => Err(format!("handshake refused: {other:?}").into()),
    }
}

/// Answers the handshake of each accepted connection with the next reply, then holds it.
fn serve(
    mut accepted: tokio::sync::mpsc::UnboundedReceiver<(usize, Ws)>,
    replies: Vec<&'static str>,
) {
    tokio::spawn(async move {
        let mut held = Vec::new();
        for reply in replies {
            let (_id, mut socket) = accepted.recv().await.unwrap();
            assert_eq!(socket.next().await.unwrap().unwrap(), Message::text("hello"));
            socket.send(Message::text(reply)).await.unwrap();
            held.push(socket);
        }
        std::future::pending::<()>().await;
    });
}

#[tokio::test(start_paused = true)]
async fn a_failed_critical_handshake_fails_the_attempt_and_the_next_one_connects() {
    let (server, accepted) = MemoryServer::new();
    serve(accepted, vec!["go away", "welcome"]);
    let reconnector = Reconnector::new(server.connector(0), ReconnectConfig::default())
        .on_connected(Callback::new("handshake", Criticality::Critical, handshake));
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    let seen =
        events_until(&mut events, LIMIT, |event| matches!(event, Event::Connected { .. })).await;
    let expected = [
        "connecting",
        "callback_failed",
        "connect_failed",
        "reconnecting",
        "connecting",
        "connected",
    ];
    assert_eq!(kinds(&seen), expected);
    let failed =
        Event::ConnectFailed { attempt: 1, error: AttemptError::Callback("handshake".into()) };
    assert_eq!(seen[2], failed);
    assert_eq!(seen[5], Event::Connected { attempt: 2, reconnect: false });
    client.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_failing_warning_on_reconnected_is_reported_and_the_connection_goes_on() {
    let (server, mut accepted) = MemoryServer::new();
    let runs = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&runs);
    let on_reconnected = Callback::new("metrics", Criticality::Warning, move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Err::<(), CallbackError>("exporter down".into()) }
    });
    let reconnector = Reconnector::new(server.connector(0), ReconnectConfig::default())
        .on_reconnected(on_reconnected);
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    events_until(&mut events, LIMIT, |event| matches!(event, Event::Connected { .. })).await;
    assert_eq!(runs.load(Ordering::SeqCst), 0, "on-reconnected does not run on the first connect");
    drop(accepted.recv().await.unwrap());
    let seen =
        events_until(&mut events, LIMIT, |event| matches!(event, Event::Connected { .. })).await;
    assert_eq!(&kinds(&seen)[seen.len() - 2..], ["callback_failed", "connected"]);
    assert_eq!(seen.last(), Some(&Event::Connected { attempt: 2, reconnect: true }));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    client.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_skips_the_callback_and_its_fallback_keeps_the_connection() {
    let (server, mut accepted) = MemoryServer::new();
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    let resubscribe = Callback::new("resubscribe", Criticality::Critical, move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Err::<(), CallbackError>("topic service down".into()) }
    })
    .with_breaker(BreakerConfig::new(2, Duration::from_secs(3600)))
    .with_fallback(|_| async { Ok(()) });
    let reconnector =
        Reconnector::new(server.connector(0), ReconnectConfig::default()).on_connected(resubscribe);
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.extend(
            events_until(&mut events, LIMIT, |event| matches!(event, Event::Connected { .. }))
                .await,
        );
        drop(accepted.recv().await.unwrap());
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the third connect skipped the open callback");
    assert_eq!(seen.iter().filter(|event| matches!(event, Event::FallbackUsed { .. })).count(), 3);
    assert!(seen.contains(&Event::CircuitOpened { callback: "resubscribe".into() }));
    let skipped = seen.iter().any(|event| {
        matches!(event, Event::CallbackFailed { failure: CallbackFailure::CircuitOpen, .. })
    });
    assert!(skipped);
    client.shutdown().await;
}
