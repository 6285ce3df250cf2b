//! The budget in process, without sockets: its defaults, the session bound (the oldest
//! detached session expires first, else 1013) and the byte bound (a detached session's
//! bytes reclaimed first, else `BudgetExceeded`, the message handed back).

use super::super::auth::Upgrade;
use super::super::hello::Refused;
use super::super::session::SessionState;
use crate::error::Error;
use crate::protocol::{CloseCode, Mode, SessionLostReason};
use crate::server::{IncomingMode, ServerConfig, SessionEvent, SessionServer};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

fn server(configure: impl FnOnce(&mut ServerConfig)) -> SessionServer {
    let mut config = ServerConfig::default();
    config.incoming.mode = IncomingMode::Shared;
    configure(&mut config);
    SessionServer::new(config)
}

fn open(server: &SessionServer) -> Result<Arc<SessionState>, Refused> {
    let request = Upgrade::default().request(Default::default(), None);
    let opening = futures::FutureExt::now_or_never(server.open_fresh(Mode::V1, &request));
    let opened = opening.unwrap_or(Err(Refused::Close(CloseCode::Internal))); // no store: at once
    opened.map(|opened| opened.session)
}

/// Attaches a connection to `session` and detaches it: resumable, within its window.
fn detach(session: &Arc<SessionState>) {
    let generation = session.attach().1;
    assert!(session.detach(generation));
}

fn message() -> Message {
    Message::binary(vec![7; 1000])
}

#[test]
fn the_default_budget_bounds_sessions_and_bytes() {
    let budget = ServerConfig::default().sessions.budget;
    assert_eq!(budget.max_sessions, 10_000);
    assert_eq!(budget.max_outbox_bytes, 256 * 1024 * 1024);
}

#[tokio::test(start_paused = true)]
async fn past_max_sessions_the_oldest_detached_expires_else_1013() {
    let server = server(|config| config.sessions.budget.max_sessions = 2);
    let mut events = server.events();
    let older = open(&server).unwrap();
    let newer = open(&server).unwrap();
    let refused = open(&server).map(drop).unwrap_err();
    assert!(matches!(refused, Refused::Close(CloseCode::TryAgainLater)), "{refused:?}");

    detach(&older);
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    detach(&newer);
    let admitted = open(&server).unwrap();
    let mut sessions = server.sessions();
    sessions.sort();
    let mut expected = vec![newer.id, admitted.id];
    expected.sort();
    assert_eq!(sessions, expected, "the older detached session made room");
    assert_eq!(server.inner.sessions.missing(&older.id), SessionLostReason::Expired);
    let evicted = std::iter::from_fn(|| events.try_recv().ok()).find_map(|event| match event {
        SessionEvent::Evicted { session, .. } => Some(session),
        _ => None,
    });
    assert_eq!(evicted, Some(older.id));
}

#[tokio::test]
async fn past_the_byte_budget_a_detached_sessions_bytes_go_first_then_sends_are_refused() {
    let entry = crate::session_link::checked_payload(message(), u64::MAX).unwrap();
    let size = ws_batch::MessageSize::message_size(&entry);
    let server = server(|config| config.sessions.budget.max_outbox_bytes = 3 * size);
    let gone = open(&server).unwrap();
    let live = open(&server).unwrap();
    server.send(gone.id, message()).unwrap();
    server.send(gone.id, message()).unwrap();
    detach(&gone);
    for _ in 0..3 {
        server.send(live.id, message()).unwrap();
    }
    assert_eq!(server.sessions(), vec![live.id], "the detached session was expired for room");
    assert!(gone.outbox.stats().is_empty(), "and its outbox discarded");
    assert_eq!(server.outbox_bytes(), 3 * size);
    let refused = server.send(live.id, message()).unwrap_err();
    assert!(matches!(&refused, Error::BudgetExceeded { budget, .. } if *budget == 3 * size));
    assert_eq!(refused.into_message(), Some(message()), "handed back");
}

/// A sink reads the shared meter once per run and counts what its own buffer took since:
/// messages fed but not yet flushed cannot pass the budget together (the meter does not
/// have them yet), and after the flush the meter's fresh reading refuses the next one.
#[tokio::test]
async fn a_sinks_buffered_run_counts_against_the_byte_budget() {
    use futures::SinkExt;
    let entry = crate::link::checked_payload(message(), u64::MAX).unwrap();
    let size = ws_batch::MessageSize::message_size(&entry);
    let server = server(|config| config.sessions.budget.max_outbox_bytes = 3 * size);
    let live = open(&server).unwrap();
    let mut sink = server.sink(live.id).unwrap();
    for _ in 0..3 {
        sink.feed(message()).await.unwrap();
    }
    assert_eq!(server.outbox_bytes(), 0, "fed, still in the sink");
    let refused = sink.feed(message()).await.unwrap_err();
    assert!(matches!(&refused, Error::BudgetExceeded { budget, .. } if *budget == 3 * size));
    sink.flush().await.unwrap();
    assert_eq!(server.outbox_bytes(), 3 * size);
    let refused = sink.feed(message()).await.unwrap_err();
    assert_eq!(refused.into_message(), Some(message()), "handed back");
}

#[test]
fn headroom_takes_what_it_has_and_counts_the_run() {
    let mut headroom = super::Headroom::default();
    assert!(!headroom.take(1), "a new run has nothing: it reads the meter");
    headroom.refill(100, 30);
    assert!(headroom.take(70));
    assert!(!headroom.take(1), "spent");
    headroom.refill(150, 20);
    assert_eq!(headroom, super::Headroom { left: 30, run: 120 }, "the run is not in the meter");
}
