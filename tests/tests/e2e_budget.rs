//! The server-wide budget over real sockets (`ServerConfig::sessions.budget`): past `max_sessions`
//! the oldest detached session expires early (a resume of it gets SESSION_LOST 02), and
//! only when every session is attached is a fresh one refused with 1013; past
//! `max_outbox_bytes` a detached session's bytes are reclaimed first, then sends are
//! refused with `Error::BudgetExceeded`, the message handed back, until acks free bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::SinkExt;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use std::future::Future;
use std::net::SocketAddr;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::events::Events;
use ws_reliability::protocol::*;
use ws_reliability::server::{ReliableServer, ServerConfig, SessionEvent};
use ws_reliability::Error;

/// A fresh raw session: its WELCOME (id and token) and the socket.
async fn welcomed(addr: SocketAddr) -> (Welcome, Raw) {
    let (frame, ws) = raw_hello(addr, Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected WELCOME, got {frame:?}") };
    (welcome, ws)
}

/// A resume of `welcome`'s session, expected refused: the SESSION_LOST reason.
async fn resume_refused(addr: SocketAddr, welcome: Welcome) -> SessionLostReason {
    let resume = Resume { session: welcome.session, token: welcome.token, last_received: 0 };
    let hello = Hello { resume: Some(resume), ..Hello::default() };
    let (frame, _ws) = raw_hello(addr, hello).await;
    let Frame::SessionLost(reason) = frame else { panic!("expected SESSION_LOST, got {frame:?}") };
    reason
}

/// Waits for the event `matches` picks.
async fn event(events: &mut Events<SessionEvent>, matches: impl Fn(&SessionEvent) -> bool) {
    guarded("event", async {
        loop {
            if let Ok(event) = events.recv().await {
                if matches(&event) {
                    return;
                }
            }
        }
    })
    .await;
}

async fn detached(events: &mut Events<SessionEvent>, id: SessionId) {
    event(events, |event| matches!(event, SessionEvent::Detached { session } if *session == id))
        .await;
}

async fn evicted(events: &mut Events<SessionEvent>, id: SessionId) {
    let is = |event: &SessionEvent| matches!(event, SessionEvent::Evicted { session, .. } if *session == id);
    event(events, is).await;
}

fn payload(index: usize) -> Message {
    Message::text(format!("{index:04}:{}", "x".repeat(1000)))
}

/// Sends numbered messages to `session` until the budget refuses one; how many it took.
fn fill(server: &ReliableServer, session: SessionId) -> usize {
    for index in 0.. {
        match server.send(session, payload(index)) {
            Ok(_) => continue,
            Err(Error::BudgetExceeded { message, budget, .. }) => {
                assert_eq!(message, payload(index), "the refusal hands the message back");
                assert_eq!(budget, server.config().sessions.budget.max_outbox_bytes);
                return index;
            }
            Err(other) => panic!("expected BudgetExceeded, got {other:?}"),
        }
    }
    unreachable!()
}

/// The metrics `scenario` left, run on a current-thread runtime under a local recorder.
struct Recorded(Vec<(String, Vec<String>, f64)>);

fn recorded<F: Future<Output = ()>>(scenario: impl FnOnce(Snapshotter) -> F) -> Recorded {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(scenario(recorder.snapshotter()));
    });
    Recorded::of(&snapshotter)
}

impl Recorded {
    fn of(snapshotter: &Snapshotter) -> Recorded {
        let values = snapshotter.snapshot().into_vec().into_iter().map(|(key, _, _, value)| {
            let labels = key.key().labels().map(|label| label.value().to_owned()).collect();
            let value = match value {
                DebugValue::Counter(count) => count as f64,
                DebugValue::Gauge(gauge) => gauge.0,
                DebugValue::Histogram(_) => f64::NAN,
            };
            (key.key().name().to_owned(), labels, value)
        });
        Recorded(values.collect())
    }

    /// The value of `name` (with the label value `label`, if given).
    fn value(&self, name: &str, label: Option<&str>) -> f64 {
        let found = self.0.iter().find(|(key, labels, _)| {
            key == name && label.is_none_or(|label| labels.iter().any(|value| value == label))
        });
        found.map_or(0.0, |(.., value)| *value)
    }
}

#[test]
fn past_max_sessions_the_oldest_detached_session_expires_and_else_1013() {
    let metrics = recorded(|_| max_sessions_scenario());
    let refused = metrics.value("ws_reliability_sessions_refused_total", Some("max_sessions"));
    assert_eq!(refused, 1.0, "the refusal is counted");
    let evicted = metrics.value("ws_reliability_sessions_evicted_total", Some("max_sessions"));
    assert_eq!(evicted, 1.0, "the eviction is counted");
    assert_eq!(metrics.value("ws_reliability_sessions", None), 3.0, "the gauge");
}

async fn max_sessions_scenario() {
    let mut config = ServerConfig::default();
    config.sessions.budget.max_sessions = 3;
    let (server, listener) = server(config).await;
    let addr = listener.local_addr();
    let mut events = server.events();
    let (first, first_ws) = welcomed(addr).await;
    let (_second, _second_ws) = welcomed(addr).await;
    let (_third, _third_ws) = welcomed(addr).await;

    let mut fourth = raw_v1(addr).await;
    fourth.send(to_message(&Frame::Hello(Hello::default()))).await.unwrap();
    assert_eq!(close_code(&mut fourth).await, Some(1013), "every session attached: refused");
    assert_eq!(server.sessions().len(), 3);

    drop(first_ws);
    detached(&mut events, first.session).await;
    let (_admitted, _fourth_ws) = welcomed(addr).await;
    evicted(&mut events, first.session).await;
    assert_eq!(server.sessions().len(), 3);
    assert_eq!(resume_refused(addr, first).await, SessionLostReason::Expired);
}

#[test]
fn past_the_byte_budget_sends_are_refused_until_acks_free_bytes() {
    recorded(byte_budget_scenario); // asserts on the metrics itself, before the server is gone
}

async fn byte_budget_scenario(snapshotter: Snapshotter) {
    let mut config = ServerConfig::default();
    config.sessions.budget.max_outbox_bytes = 16 * 1024;
    let (server, listener) = server(config).await;
    let (welcome, mut ws) = welcomed(listener.local_addr()).await;
    let taken = fill(&server, welcome.session);
    assert!(taken >= 8, "a 16 KiB budget holds {taken} messages of 1 KiB");
    assert!(server.outbox_bytes() <= 16 * 1024);

    for seq in 1..=taken as u64 {
        let Frame::Data(data) = next_frame(&mut ws).await else { panic!("expected DATA") };
        assert_eq!(data.seq, seq);
    }
    ws.send(to_message(&Frame::Ack(taken as u64))).await.unwrap();
    wait_until("acks free the bytes", || server.outbox_bytes() == 0).await;
    assert_eq!(fill(&server, welcome.session), taken, "accepted again after the acks");
    let metrics = Recorded::of(&snapshotter); // a snapshot drains what it reads
    let refused = metrics.value("ws_reliability_send_refused_total", Some("budget_exceeded"));
    assert_eq!(refused, 2.0, "each refusal is counted");
    let gauge = metrics.value("ws_reliability_outbox_bytes", None);
    assert_eq!(gauge, server.outbox_bytes() as f64, "the gauge follows the outboxes");
    assert!(gauge > 0.0);
}

#[tokio::test]
async fn a_detached_sessions_bytes_are_reclaimed_before_a_send_is_refused() {
    let mut config = ServerConfig::default();
    config.sessions.budget.max_outbox_bytes = 16 * 1024;
    let (server, listener) = server(config).await;
    let addr = listener.local_addr();
    let mut events = server.events();
    let (gone, gone_ws) = welcomed(addr).await;
    let held = fill(&server, gone.session);
    drop(gone_ws);
    detached(&mut events, gone.session).await;

    let (live, _live_ws) = welcomed(addr).await;
    assert_eq!(fill(&server, live.session), held, "the detached session's bytes, reclaimed");
    evicted(&mut events, gone.session).await;
    assert_eq!(server.sessions(), vec![live.session]);
    assert_eq!(resume_refused(addr, gone).await, SessionLostReason::Expired);
}
