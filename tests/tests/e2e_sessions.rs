//! Sessions as values over real sockets: the accept loop, each session with its user's
//! identity from the authentication hook (which sees the URI and the HELLO `auth`), the
//! hook's refusal reason at the client, a resume by another identity refused, and a
//! session closed (or dropped) by the application with its own code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::*;
use ws_reliability::server::Listen;
use ws_reliability::server::{
    AuthHook, Identity, Refusal, ReliableServer, ServerConfig, Session, SessionEvent,
};

/// Lets in whoever names a user in the query string (`?user=NAME`) or in HELLO `auth`.
fn by_name() -> AuthHook {
    Arc::new(|request| {
        let query = request.uri.as_ref().and_then(|uri| uri.query()).unwrap_or_default();
        let named = query.strip_prefix("user=").map(str::to_owned);
        let from_auth = std::str::from_utf8(&request.auth).ok().filter(|auth| !auth.is_empty());
        let user = named.or(from_auth.map(str::to_owned));
        user.map(Identity::from).ok_or_else(|| Refusal::new("who are you? name a user"))
    })
}

async fn accepting(config: ServerConfig) -> (ReliableServer, std::net::SocketAddr) {
    let server = ReliableServer::with_auth(config, by_name());
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr();
    std::mem::forget(listener); // accepts for the rest of the test
    (server, addr)
}

/// Echoes each message back with the user's name and the message's sequence number.
async fn echo(mut session: Session) {
    while let Some(received) = session.next().await {
        let text = received.message.to_text().unwrap().to_owned();
        let reply = format!("{text} from {} #{}", session.identity(), received.seq);
        session.send(Message::text(reply)).await.unwrap();
    }
}

#[tokio::test]
async fn an_accept_loop_serves_each_user_its_own_session() {
    let (server, addr) = accepting(ServerConfig::default()).await;
    let acceptor = server.clone();
    tokio::spawn(async move {
        while let Some(session) = acceptor.accept().await {
            tokio::spawn(echo(session));
        }
    });
    for user in ["alice", "bob"] {
        let url = format!("ws://{addr}/chat?user={user}");
        let client = ReliableClient::start(&url, ClientConfig::default()).unwrap();
        let mut replies = client.incoming().unwrap();
        client.send(Message::text("hi")).unwrap();
        client.send(Message::text("again")).unwrap();
        let first = guarded("first reply", replies.next()).await.unwrap();
        assert_eq!(first, Message::text(format!("hi from {user} #1")));
        let second = guarded("second reply", replies.next()).await.unwrap();
        assert_eq!(second, Message::text(format!("again from {user} #2")));
    }
}

#[tokio::test]
async fn the_opened_event_and_the_session_carry_the_identity() {
    let (server, addr) = accepting(ServerConfig::default()).await;
    let mut events = server.events();
    let hello = Hello { auth: "carol".into(), ..Hello::default() };
    let (frame, _ws) = raw_hello(addr, hello).await;
    assert!(matches!(frame, Frame::Welcome(_)));
    let session = guarded("accept", server.accept()).await.unwrap();
    assert_eq!(session.identity(), &Identity::from("carol"));
    let Ok(SessionEvent::Opened { identity, .. }) = events.recv().await else { panic!() };
    assert_eq!(identity.as_str(), Some("carol"));
}

// [M1.3] the hook's reason reaches the client: ERROR 1008 with it, then the close 1008 with it
#[tokio::test]
async fn a_refusal_tells_the_client_why() {
    let (_server, addr) = accepting(ServerConfig::default()).await;
    let mut ws = raw_v1(addr).await;
    ws.send(to_message(&Frame::Hello(Hello::default()))).await.unwrap();
    let notice = guarded("error", ws.next()).await.unwrap().unwrap();
    let Ok(Some(Frame::Error(notice))) = from_message(&notice, &Limits::default()) else {
        panic!("expected ERROR, got {notice:?}")
    };
    assert_eq!((notice.code, notice.reason.as_str()), (1008, "who are you? name a user"));
    let Some(Ok(Message::Close(Some(close)))) = guarded("close", ws.next()).await else {
        panic!("expected a close")
    };
    assert_eq!((u16::from(close.code), close.reason.as_str()), (1008, "who are you? name a user"));
}

#[tokio::test]
async fn the_reliable_client_reports_the_refusal_with_its_reason() {
    let (_server, addr) = accepting(ServerConfig::default()).await;
    use ws_reliability::reconnect::{AttemptError, Event};
    let client = ReliableClient::start(&url(addr), ClientConfig::default()).unwrap();
    let mut attempts = client.reconnect_events();
    let failure = guarded("refusal", async {
        loop {
            if let Some(Event::ConnectFailed { error: AttemptError::Connect(cause), .. }) =
                attempts.next().await
            {
                return cause;
            }
        }
    })
    .await;
    let expected =
        ws_reliability::Error::Refused { code: 1008, reason: "who are you? name a user".into() };
    assert_eq!(&*failure, expected.to_string().as_str());
    client.shutdown().await;
}

fn resume_as(welcome: &Welcome, user: &str) -> Hello {
    let token = welcome.token.clone();
    let resume = Resume { session: welcome.session, token, last_received: 0 };
    Hello { resume: Some(resume), auth: user.to_owned().into(), batch: false }
}

// [M1.4] a resume must come from the session's own identity
#[tokio::test]
async fn a_resume_by_another_identity_is_refused() {
    let (_server, addr) = accepting(ServerConfig::default()).await;
    let (frame, ws) = raw_hello(addr, Hello { auth: "alice".into(), ..Hello::default() }).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected WELCOME") };
    drop(ws);
    let mut thief = raw_v1(addr).await;
    thief.send(to_message(&Frame::Hello(resume_as(&welcome, "mallory")))).await.unwrap();
    assert_eq!(close_code(&mut thief).await, Some(1008));
    let (frame, _ws) = raw_hello(addr, resume_as(&welcome, "alice")).await;
    let Frame::Welcome(resumed) = frame else { panic!("alice resumes: {frame:?}") };
    assert!(resumed.resumed);
}

#[tokio::test]
async fn the_application_closes_a_session_with_its_code_and_reason() {
    let (server, addr) = accepting(ServerConfig::default()).await;
    let (_frame, mut ws) = raw_hello(addr, Hello { auth: "dave".into(), ..Hello::default() }).await;
    let session = guarded("accept", server.accept()).await.unwrap();
    let id = session.id();
    let refused = server.accept();
    tokio::pin!(refused);
    assert!(futures::poll!(&mut refused).is_pending(), "one session, accepted once");
    session.close(4100, "account suspended").await.unwrap();
    let closed = guarded("close", ws.next()).await.unwrap().unwrap();
    let Message::Close(Some(frame)) = closed else { panic!("expected a close: {closed:?}") };
    assert_eq!((u16::from(frame.code), frame.reason.as_str()), (4100, "account suspended"));
    assert!(!server.sessions().contains(&id), "a closed session is discarded");
}

#[tokio::test]
async fn a_close_code_an_application_may_not_send_is_refused() {
    let (server, addr) = accepting(ServerConfig::default()).await;
    let (_frame, mut ws) = raw_hello(addr, Hello { auth: "erin".into(), ..Hello::default() }).await;
    let session = guarded("accept", server.accept()).await.unwrap();
    let error = session.close(4003, "not mine to send").await.unwrap_err();
    assert!(matches!(error, ws_reliability::Error::InvalidCloseCode { code: 4003 }));
    // refused, and the value is gone: dropped, the session ends with 1001 (going away)
    assert_eq!(close_code(&mut ws).await, Some(1001));
}

#[tokio::test]
async fn past_the_backlog_new_sessions_are_refused_with_1013() {
    let mut config = ServerConfig::default();
    config.incoming.backlog = 1;
    let (server, addr) = accepting(config).await;
    let (first, _ws) = raw_hello(addr, Hello { auth: "a".into(), ..Hello::default() }).await;
    assert!(matches!(first, Frame::Welcome(_)));
    let mut second = raw_v1(addr).await;
    let hello = Hello { auth: "b".into(), ..Hello::default() };
    second.send(to_message(&Frame::Hello(hello))).await.unwrap();
    assert_eq!(close_code(&mut second).await, Some(1013), "nobody accepted the first");
    assert!(guarded("accept", server.accept()).await.is_some());
    let (third, _ws) = raw_hello(addr, Hello { auth: "c".into(), ..Hello::default() }).await;
    assert!(matches!(third, Frame::Welcome(_)), "accepting made room");
}

#[tokio::test]
async fn accept_ends_when_the_server_shuts_down() {
    let (server, _addr) = accepting(ServerConfig::default()).await;
    let waiting = tokio::spawn({
        let server = server.clone();
        async move { server.accept().await.is_none() }
    });
    server.shutdown(std::time::Duration::from_millis(10)).await;
    assert!(guarded("accept ends", waiting).await.unwrap());
}

#[tokio::test]
async fn the_hook_sees_the_peer_address_and_the_request() {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let record = Arc::clone(&seen);
    let hook: AuthHook = Arc::new(move |request| {
        let path = request.uri.as_ref().map(|uri| uri.path().to_owned());
        *record.lock().unwrap() = Some((request.peer, path, request.headers.is_some()));
        Ok(Identity::from("anyone"))
    });
    let server = ReliableServer::with_auth(ServerConfig::default(), hook);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let (frame, _ws) = raw_hello(listener.local_addr(), Hello::default()).await;
    assert!(matches!(frame, Frame::Welcome(_)));
    let (peer, path, headers) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(peer.map(|peer| peer.ip()), Some("127.0.0.1".parse().unwrap()));
    assert_eq!((path.as_deref(), headers), (Some("/ws"), true));
}

#[tokio::test]
async fn a_session_has_its_own_events() {
    let (server, addr) = accepting(ServerConfig::default()).await;
    let (_frame, first) = raw_hello(addr, Hello { auth: "a".into(), ..Hello::default() }).await;
    let session = guarded("accept", server.accept()).await.unwrap();
    let mut events = session.events();
    let (_frame, _other) = raw_hello(addr, Hello { auth: "b".into(), ..Hello::default() }).await;
    drop(first); // only this session's connection ends
    let event = guarded("detached", events.recv()).await.unwrap();
    assert_eq!(event, SessionEvent::Detached { session: session.id() }, "not the other's Opened");
}
