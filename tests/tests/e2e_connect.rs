//! `ReliableClient::connect(..).await` over real sockets: it returns once the server
//! welcomed a session, or a typed error after its first-connect limit (attempts, time); the
//! client is itself a `Sink` and a `Stream`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientConfig, FirstConnect, ReliableClient};
use ws_reliability::server::Listen;
use ws_reliability::server::{AuthHook, Refusal, ReliableServer, ServerConfig, Session};
use ws_reliability::Error;

async fn echo(mut session: Session) {
    while let Some(received) = session.next().await {
        session.send(received.message).await.unwrap();
    }
}

async fn echo_server(hook: Option<AuthHook>) -> std::net::SocketAddr {
    let server = match hook {
        Some(hook) => ReliableServer::with_auth(ServerConfig::default(), hook),
        None => ReliableServer::new(ServerConfig::default()),
    };
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr();
    tokio::spawn(async move {
        let _listening = listener;
        while let Some(session) = server.accept().await {
            tokio::spawn(echo(session));
        }
    });
    addr
}

#[tokio::test]
async fn connect_returns_once_a_session_is_welcomed_and_the_client_is_a_socket() {
    let addr = echo_server(None).await;
    let mut client =
        guarded("connect", ReliableClient::connect(&url(addr), client_config())).await.unwrap();
    assert!(client.session().is_some(), "welcomed before connect returned");
    SinkExt::send(&mut client, Message::text("one")).await.unwrap(); // its own Sink
    client.feed(Message::text("two")).await.unwrap();
    client.flush().await.unwrap();
    assert_eq!(guarded("echo", client.next()).await, Some(Message::text("one")));
    assert_eq!(guarded("echo", client.next()).await, Some(Message::text("two")));
    client.shutdown().await;
}

#[tokio::test]
async fn connect_gives_up_after_its_attempts_with_the_last_failure() {
    let unused = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = unused.local_addr().unwrap();
    drop(unused); // nothing listens: every attempt is refused
    let mut config = client_config();
    config.timeouts.first_connect = FirstConnect::new(2, Duration::from_secs(30));
    let error = guarded("give up", ReliableClient::connect(&url(addr), config)).await.unwrap_err();
    let Error::FirstConnect { attempts, last: Some(last) } = error else { panic!("{error:?}") };
    assert_eq!(attempts, 2);
    assert!(!last.is_empty());
}

#[tokio::test]
async fn connect_reports_the_hooks_refusal() {
    let hook: AuthHook = Arc::new(|_request| Err(Refusal::new("this server is invite-only")));
    let addr = echo_server(Some(hook)).await;
    let mut config = client_config();
    config.timeouts.first_connect = FirstConnect::new(1, Duration::from_secs(30));
    let error = guarded("refused", ReliableClient::connect(&url(addr), config)).await.unwrap_err();
    let Error::FirstConnect { last: Some(last), .. } = error else { panic!("{error:?}") };
    assert_eq!(last, "refused with 1008: this server is invite-only");
}

#[tokio::test]
async fn connect_gives_up_when_its_time_runs_out() {
    // a listener that accepts TCP and never answers the upgrade: no attempt ever ends
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let mut config = client_config();
    config.timeouts.first_connect = FirstConnect::new(3, Duration::from_millis(200));
    let error = guarded("time out", ReliableClient::connect(&url(addr), config)).await.unwrap_err();
    assert!(matches!(error, Error::FirstConnect { attempts: 0, last: None }), "{error:?}");
    drop(silent);
}

#[tokio::test]
async fn the_client_stream_is_empty_once_incoming_was_taken() {
    let addr = echo_server(None).await;
    let mut client = ReliableClient::connect(&url(addr), ClientConfig::default()).await.unwrap();
    let mut incoming = client.incoming().unwrap();
    client.send(Message::text("x")).unwrap();
    assert_eq!(guarded("echo", incoming.next()).await, Some(Message::text("x")));
    assert_eq!(client.next().await, None, "the messages went to the taken stream");
}

// one event stream: the reconnector's events arrive among the session's
#[tokio::test]
async fn the_client_events_carry_the_reconnectors_too() {
    use ws_reliability::client::ClientEvent;
    use ws_reliability::reconnect::Event;
    let addr = echo_server(None).await;
    let client = ReliableClient::start(&url(addr), client_config()).unwrap();
    let mut events = client.events();
    let mut seen = (false, false);
    while seen != (true, true) {
        match guarded("events", events.recv()).await.unwrap() {
            ClientEvent::Connected { .. } => seen.0 = true,
            ClientEvent::Reconnect(Event::Connected { .. }) => seen.1 = true,
            _ => {}
        }
    }
    client.shutdown().await;
}
