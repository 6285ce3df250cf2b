//! Backoff timing under a paused clock: jitter bounds, event order, limits, server hints and
//! the reset after a healthy connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{close_with, events_until, kinds, MemoryServer};
use std::time::Duration;
use ws_reconnect::{
    Backoff, DisconnectReason, Event, GiveUpReason, Jitter, JitterRng, ReconnectConfig,
    Reconnector, StopReason,
};

const LIMIT: Duration = Duration::from_secs(600);

fn config(backoff: Backoff) -> ReconnectConfig {
    let mut config = ReconnectConfig::default();
    config.backoff = backoff;
    config
}

fn fast() -> Backoff {
    Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(1))
}

#[tokio::test(start_paused = true)]
async fn events_arrive_in_order_and_retries_wait_their_jittered_delay() {
    let (server, mut accepted) = MemoryServer::new();
    let reconnector = Reconnector::new(server.connector(0), config(fast()));
    let mut events = reconnector.with_rng(JitterRng::seeded(11)).subscribe_and(|r| r.spawn());
    let (_id, socket) = accepted.recv().await.unwrap();
    server.set_up(false);
    drop(socket);
    let failed = |event: &Event| matches!(event, Event::ConnectFailed { attempt: 4, .. });
    let mut seen = events_until(&mut events.1, LIMIT, failed).await;
    server.set_up(true);
    let reconnected = |event: &Event| matches!(event, Event::Connected { reconnect: true, .. });
    seen.extend(events_until(&mut events.1, LIMIT, reconnected).await);
    let expected = [
        "connecting",
        "connected",
        "disconnected",
        "reconnecting",
        "connecting",
        "connect_failed",
        "reconnecting",
        "connecting",
        "connect_failed",
        "reconnecting",
        "connecting",
        "connect_failed",
        "reconnecting",
        "connecting",
        "connected",
    ];
    assert_eq!(kinds(&seen), expected);
    let delays: Vec<Duration> = seen
        .iter()
        .filter_map(|event| match event {
            Event::Reconnecting { delay, .. } => Some(*delay),
            _ => None,
        })
        .collect();
    let connects: Vec<_> = server.connects().into_iter().map(|(_, at)| at).collect();
    for (step, delay) in delays.iter().enumerate() {
        assert!(*delay <= fast().ceiling(step as u32), "delay {step} above its ceiling: {delay:?}");
        let gap = connects[step + 1] - connects[step];
        assert!(
            gap >= *delay && gap <= *delay + Duration::from_millis(2),
            "gap {gap:?} vs {delay:?}"
        );
    }
    events.0.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts() {
    let (server, _accepted) = MemoryServer::new();
    server.set_up(false);
    let mut config = config(fast());
    config.limits.max_attempts = Some(3);
    let (client, mut events) =
        Reconnector::new(server.connector(0), config).subscribe_and(|r| r.spawn());
    let seen =
        events_until(&mut events, LIMIT, |event| matches!(event, Event::GaveUp { .. })).await;
    assert_eq!(
        seen.last(),
        Some(&Event::GaveUp { attempts: 3, reason: GiveUpReason::MaxAttempts })
    );
    assert_eq!(server.connects().len(), 3);
    assert_eq!(client.wait().await.reason, StopReason::GaveUp(GiveUpReason::MaxAttempts));
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_elapsed() {
    let (server, _accepted) = MemoryServer::new();
    server.set_up(false);
    let mut config = config(fast());
    config.limits.max_elapsed = Some(Duration::from_secs(10));
    let start = tokio::time::Instant::now();
    let client = Reconnector::new(server.connector(0), config).spawn();
    let stopped = client.wait().await;
    assert_eq!(stopped.reason, StopReason::GaveUp(GiveUpReason::MaxElapsed));
    let last = server.connects().last().unwrap().1;
    assert!(last - start >= Duration::from_secs(9) && last - start <= Duration::from_secs(11));
}

#[tokio::test(start_paused = true)]
async fn retry_later_close_waits_longer_and_do_not_reconnect_gives_up() {
    let (server, mut accepted) = MemoryServer::new();
    let (client, mut events) =
        Reconnector::new(server.connector(0), config(fast())).subscribe_and(|r| r.spawn());
    close_with(accepted.recv().await.unwrap().1, 1013).await;
    let seen =
        events_until(&mut events, LIMIT, |event| matches!(event, Event::Reconnecting { .. })).await;
    let Some(Event::Reconnecting { delay, .. }) = seen.last() else { panic!("{seen:?}") };
    assert!(*delay >= Duration::from_secs(15) && *delay <= Duration::from_secs(30), "{delay:?}");
    close_with(accepted.recv().await.unwrap().1, 4001).await;
    let seen =
        events_until(&mut events, LIMIT, |event| matches!(event, Event::GaveUp { .. })).await;
    let closed = DisconnectReason::Closed { code: 4001, reason: "test".into() };
    assert!(seen.contains(&Event::Disconnected { reason: closed }));
    let refused = StopReason::GaveUp(GiveUpReason::DoNotReconnect { code: 4001 });
    assert_eq!(client.wait().await.reason, refused);
    assert_eq!(server.connects().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn backoff_resets_only_after_a_healthy_connection() {
    let (server, mut accepted) = MemoryServer::new();
    let backoff = fast().with_jitter(Jitter::None);
    let (client, mut events) =
        Reconnector::new(server.connector(0), config(backoff)).subscribe_and(|r| r.spawn());
    let mut delays = Vec::new();
    for hold in [Duration::ZERO, Duration::from_secs(1), Duration::from_secs(11)] {
        let (_id, socket) = accepted.recv().await.unwrap();
        tokio::time::sleep(hold).await;
        drop(socket);
        let seen =
            events_until(&mut events, LIMIT, |event| matches!(event, Event::Reconnecting { .. }))
                .await;
        let Some(Event::Reconnecting { delay, .. }) = seen.last() else { panic!() };
        delays.push(*delay);
    }
    let expected: Vec<Duration> = [100, 200, 100].into_iter().map(Duration::from_millis).collect();
    assert_eq!(delays, expected, "flapping keeps backing off; a healthy connection resets");
    client.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_healthy_after_meant_as_never_does_not_overflow() {
    let (server, mut accepted) = MemoryServer::new();
    let mut config = config(fast());
    config.limits.healthy_after = Duration::MAX;
    let (client, mut events) =
        Reconnector::new(server.connector(0), config).subscribe_and(|r| r.spawn());
    let _socket = accepted.recv().await.unwrap();
    events_until(&mut events, LIMIT, |event| matches!(event, Event::Connected { .. })).await;
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(client.shutdown().await.reason, StopReason::Shutdown, "the driver is alive");
}

/// Subscribes before spawning, so the first events are seen.
trait SubscribeAnd: Sized {
    fn subscribe_and(
        self,
        spawn: impl FnOnce(Self) -> ws_reconnect::Client,
    ) -> (ws_reconnect::Client, ws_reconnect::EventStream);
}

impl<C: ws_reconnect::Connector> SubscribeAnd for Reconnector<C> {
    fn subscribe_and(
        self,
        spawn: impl FnOnce(Self) -> ws_reconnect::Client,
    ) -> (ws_reconnect::Client, ws_reconnect::EventStream) {
        let events = self.subscribe();
        (spawn(self), events)
    }
}
