//! Resume refusals over real sockets: a forged token, a replayed (confirmed used) token, an
//! unknown and an expired session each get an explicit SESSION_LOST and close 4000, never another
//! session's data, and each is counted in `ws_reliability_sessions_lost_total`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::StreamExt;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::*;
use ws_reliability::server::Listen;
use ws_reliability::server::{ServerConfig, SessionEvent};

fn resume(session: SessionId, token: ResumeToken, last_received: u64) -> Hello {
    Hello {
        resume: Some(Resume { session, token, last_received }),
        auth: Default::default(),
        batch: false,
    }
}

/// Presents `hello` and expects SESSION_LOST with `reason`, then close 4000.
async fn refused(addr: std::net::SocketAddr, hello: Hello) -> SessionLostReason {
    let (frame, mut ws) = raw_hello(addr, hello).await;
    let Frame::SessionLost(reason) = frame else { panic!("expected session lost, got {frame:?}") };
    let after = guarded("close after session lost", ws.next()).await.unwrap().unwrap();
    let Message::Close(Some(close)) = after else { panic!("only a close may follow: {after:?}") };
    assert_eq!(u16::from(close.code), 4000);
    reason
}

async fn welcome(addr: std::net::SocketAddr, hello: Hello) -> (Welcome, Raw) {
    let (frame, ws) = raw_hello(addr, hello).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected welcome, got {frame:?}") };
    (welcome, ws)
}

async fn scenario() {
    let mut config = ServerConfig::default();
    config.limits.resume_window = Duration::from_secs(3);
    let (server, listener) = server(config).await;
    let addr = listener.local_addr();
    let mut events = server.events();
    let (first, mut ws) = welcome(addr, Hello::default()).await;
    server.send(first.session, Message::text("secret of the first session")).unwrap();
    let Frame::Data(data) = next_frame(&mut ws).await else { panic!("expected data") };
    assert_eq!(data.seq, 1);
    drop(ws);

    let forged = resume(first.session, ResumeToken::generate().unwrap(), 1);
    assert_eq!(refused(addr, forged).await, SessionLostReason::TokenMismatch);
    let unknown = resume(SessionId::generate().unwrap(), first.token.clone(), 0);
    assert_eq!(refused(addr, unknown).await, SessionLostReason::UnknownSession);

    let (second, mut ws) = welcome(addr, resume(first.session, first.token.clone(), 1)).await;
    assert!(second.resumed);
    assert_eq!(second.session, first.session);
    assert_ne!(second.token, first.token, "the token rotates on every resume");
    // The client's first frame confirms the new token; the close handshake orders it.
    futures::SinkExt::send(&mut ws, to_message(&Frame::Ack(1))).await.unwrap();
    ws.close(None).await.ok();
    guarded("server close", async { while ws.next().await.is_some() {} }).await;
    let replayed = resume(first.session, first.token.clone(), 1);
    assert_eq!(refused(addr, replayed).await, SessionLostReason::TokenReplayed);

    let (other, ws) = welcome(addr, Hello::default()).await;
    drop(ws);
    guarded("expired", async {
        loop {
            if let Ok(SessionEvent::Expired { session, .. }) = events.recv().await {
                if session == other.session {
                    return;
                }
            }
        }
    })
    .await;
    let late = refused(addr, resume(other.session, other.token, 0)).await;
    assert_eq!(late, SessionLostReason::Expired);
}

// [M3.3] SESSION_LOST then 4000; [M7.7] refusals change nothing; [M7.8] a confirmed rotation voids the token
#[test]
fn forged_replayed_unknown_and_expired_resumes_are_lost_and_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(scenario());
    });
    let lost: u64 = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| key.key().name() == "ws_reliability_sessions_lost_total")
        .map(|(.., value)| match value {
            DebugValue::Counter(count) => count,
            _ => 0,
        })
        .sum();
    assert_eq!(lost, 4, "forged, unknown, replayed and expired are each counted");
}

// [M7.8] a BATCH confirms the rotation as a DATA does: a client that only uploads in BATCH
// frames (and so never ACKs) voids its old token with its first one
#[tokio::test]
async fn a_batch_confirms_the_rotation_and_voids_the_presented_token() {
    let (_server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    let (first, ws) = welcome(addr, Hello { batch: true, ..Hello::default() }).await;
    drop(ws);
    let again = Hello { batch: true, ..resume(first.session, first.token.clone(), 0) };
    let (second, mut ws) = welcome(addr, again).await;
    assert!(second.resumed && second.batch, "{second:?}");
    let payloads = vec![Payload::Text("one".into()), Payload::Text("two".into())];
    let batch = to_message(&Frame::Batch(Batch { first: 1, payloads }));
    futures::SinkExt::send(&mut ws, batch).await.unwrap();
    ws.close(None).await.ok();
    guarded("server close", async { while ws.next().await.is_some() {} }).await;
    let replayed = resume(first.session, first.token, 0);
    assert_eq!(refused(addr, replayed).await, SessionLostReason::TokenReplayed);
}

// [M7.5] the half-open connection is closed with 4003
#[tokio::test]
async fn a_resume_replaces_a_half_open_connection_with_4003() {
    let (server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    let (first, mut stale) = welcome(addr, Hello::default()).await;
    server.send(first.session, Message::text("one")).unwrap();
    let Frame::Data(data) = next_frame(&mut stale).await else { panic!("expected data") };
    // The stale connection is still open when the client resumes on a new one.
    let (second, mut fresh) = welcome(addr, resume(first.session, first.token, data.seq)).await;
    assert!(second.resumed);
    assert_eq!(close_code(&mut stale).await, Some(4003));
    server.send(first.session, Message::text("two")).unwrap();
    let Frame::Data(data) = next_frame(&mut fresh).await else { panic!("expected data") };
    assert_eq!((data.seq, data.payload), (2, Payload::Text("two".into())));
}

// [M7.3] the hook runs on every resume
#[tokio::test]
async fn the_auth_hook_runs_on_hello_and_again_on_resume() {
    let allowed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let gate = std::sync::Arc::clone(&allowed);
    let hook: ws_reliability::server::AuthHook = std::sync::Arc::new(move |request| {
        let open = gate.load(std::sync::atomic::Ordering::SeqCst);
        let admitted = open && &request.auth[..] == b"let me in";
        admitted.then(|| "user".into()).ok_or_else(|| "refused".into())
    });
    let server = ws_reliability::server::ReliableServer::with_auth(ServerConfig::default(), hook);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr();
    let mut ws = raw_v1(addr).await;
    futures::SinkExt::send(&mut ws, to_message(&Frame::Hello(Hello::default()))).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1008), "no credentials: refused");
    let credentials = Hello { resume: None, auth: "let me in".into(), batch: false };
    let (first, ws) = welcome(addr, credentials).await;
    drop(ws);
    allowed.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut again = resume(first.session, first.token, 0);
    again.auth = "let me in".into();
    let mut ws = raw_v1(addr).await;
    futures::SinkExt::send(&mut ws, to_message(&Frame::Hello(again))).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1008), "a resume is no way around auth");
}
