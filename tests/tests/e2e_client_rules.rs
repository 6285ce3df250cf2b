//! The client's side of `docs/protocol.md`, over real sockets against a server written by
//! hand: HELLO first and once, no frame to a server that did not select wsr.v1, which
//! closes end a session and which resume, SESSION_LOST reporting the unconfirmed
//! messages, a silent link abandoned and resumed, and no message sent twice on a live link
//! that the server keeps alive but never acks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{FutureExt, SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient, DEFAULT_IDLE_TIMEOUT};
use ws_reliability::protocol::*;
use ws_reliability::reconnect::{Event, GiveUpReason};

/// A listener for the hand-written server, and a client of it.
async fn client_of_raw_server(config: ClientConfig) -> (TcpListener, ReliableClient) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = ReliableClient::start(&url(listener.local_addr().unwrap()), config).unwrap();
    (listener, client)
}

/// Accepts the next connection, upgraded with wsr.v1 selected.
async fn accept_v1(listener: &TcpListener) -> Raw {
    let (stream, _) = guarded("accept", listener.accept()).await.unwrap();
    let (ws, mode) = accept(stream, None).await.unwrap();
    assert_eq!(mode, Mode::V1);
    ws
}

/// Reads the client's HELLO and answers a fresh WELCOME (no BATCH); returns both.
async fn welcome_next(listener: &TcpListener) -> (Hello, Welcome, Raw) {
    welcome_next_with(listener, Limits::default()).await
}

/// [`welcome_next`] announcing `limits`.
async fn welcome_next_with(listener: &TcpListener, limits: Limits) -> (Hello, Welcome, Raw) {
    let mut ws = accept_v1(listener).await;
    let Frame::Hello(hello) = next_frame(&mut ws).await else { panic!("HELLO must come first") };
    let session = SessionId::generate().unwrap();
    let token = ResumeToken::generate().unwrap();
    let welcome =
        Welcome { resumed: false, session, token, last_received: 0, limits, batch: false };
    ws.send(to_message(&Frame::Welcome(welcome.clone()))).await.unwrap();
    (hello, welcome, ws)
}

fn close(code: u16) -> Option<CloseFrame> {
    Some(CloseFrame { code: WsCloseCode::from(code), reason: "".into() })
}

/// The reason the client's reconnector gave up.
async fn gave_up(client: &ReliableClient) -> GiveUpReason {
    let mut events = client.reconnect_events();
    guarded("give-up", async {
        loop {
            if let Some(Event::GaveUp { reason, .. }) = events.next().await {
                return reason;
            }
        }
    })
    .await
}

// [M4.1] HELLO is the client's first frame, and only once: then DATA and ACK
#[tokio::test]
async fn the_client_sends_hello_first_and_once() {
    let (listener, client) = client_of_raw_server(client_config()).await;
    let (hello, _welcome, mut ws) = welcome_next(&listener).await;
    assert!(hello.resume.is_none(), "a fresh session");
    connected(&client).await;
    client.send(Message::text("up")).unwrap();
    let Frame::Data(data) = next_frame(&mut ws).await else { panic!("DATA after WELCOME") };
    assert_eq!(data.seq, 1);
    ws.send(data_message(1, &Payload::Text("down".into()))).await.unwrap();
    assert_eq!(next_frame(&mut ws).await, Frame::Ack(1), "an ACK, never a second HELLO");
}

// [M6.7] a message numbered under the default limit but over the WELCOME's max_payload is
// taken out (a dead letter) and the rest are numbered again: no 1009 loop, no gap
#[tokio::test]
async fn a_message_over_the_welcomes_max_payload_is_dropped_and_the_rest_renumbered() {
    let (listener, client) = client_of_raw_server(client_config()).await;
    for text in ["small", "far too big for eight bytes", "after"] {
        client.send(Message::text(text)).unwrap();
    }
    let limits = Limits { max_payload: 8, ..Limits::default() };
    let (_hello, _welcome, mut ws) = welcome_next_with(&listener, limits).await;
    let mut sent = Vec::new();
    while sent.len() < 2 {
        let Frame::Data(data) = next_frame(&mut ws).await else { panic!("expected DATA") };
        sent.push((data.seq, String::from_utf8(data.payload.as_bytes().to_vec()).unwrap()));
    }
    assert_eq!(sent, [(1, "small".to_owned()), (2, "after".to_owned())]);
}

// [M1.2] no wsr.v1 frame to a server that did not select wsr.v1
#[tokio::test]
async fn no_frame_goes_to_a_server_that_did_not_select_wsr_v1() {
    let (listener, _client) = client_of_raw_server(client_config()).await;
    let (stream, _) = guarded("accept", listener.accept()).await.unwrap();
    let mut plain = tokio_tungstenite::accept_async(stream).await.unwrap();
    let received = guarded("client gone", async {
        let mut binary = 0;
        while let Some(Ok(message)) = plain.next().await {
            binary += usize::from(message.is_binary());
        }
        binary
    });
    assert_eq!(received.await, 0, "the client sent no frame");
}

// [M8.1] no resume after 4003 (another connection took the session) nor after 1000 (the
// session ended); a resume after any other close, e.g. 4001
#[tokio::test]
async fn the_client_resumes_after_4001_but_not_after_4003_or_1000() {
    for code in [4003, 1000] {
        let (listener, client) = client_of_raw_server(client_config()).await;
        let (_hello, _welcome, mut ws) = welcome_next(&listener).await;
        connected(&client).await;
        ws.close(close(code)).await.unwrap();
        assert_eq!(gave_up(&client).await, GiveUpReason::DoNotReconnect { code }, "{code}");
    }
    let (listener, client) = client_of_raw_server(client_config()).await;
    let (_hello, welcome, mut ws) = welcome_next(&listener).await;
    connected(&client).await;
    ws.close(close(4001)).await.unwrap();
    let Frame::Hello(hello) = next_frame(&mut accept_v1(&listener).await).await else { panic!() };
    assert_eq!(hello.resume.map(|resume| resume.session), Some(welcome.session));
}

// [M3.4] after SESSION_LOST the client reports its unacked messages as failed, and starts
// a fresh session
#[tokio::test]
async fn session_lost_reports_the_unacked_messages_as_failed() {
    let (listener, client) = client_of_raw_server(client_config()).await;
    let mut events = client.events();
    let (_hello, _welcome, mut ws) = welcome_next(&listener).await;
    connected(&client).await;
    for text in ["a", "b", "c"] {
        client.send(Message::text(text)).unwrap();
    }
    for _ in 0..3 {
        assert!(matches!(next_frame(&mut ws).await, Frame::Data(_)), "sent, never acked");
    }
    ws.close(close(4001)).await.unwrap();
    let mut resumed = accept_v1(&listener).await;
    let Frame::Hello(Hello { resume: Some(_), .. }) = next_frame(&mut resumed).await else {
        panic!("expected a resume")
    };
    resumed.send(to_message(&Frame::SessionLost(SessionLostReason::Other(99)))).await.unwrap();
    resumed.close(close(4000)).await.ok();
    let unconfirmed = guarded("session lost", async {
        loop {
            if let Ok(ClientEvent::SessionLost { unconfirmed, .. }) = events.recv().await {
                return unconfirmed;
            }
        }
    });
    assert_eq!(unconfirmed.await, 3);
    let (fresh, _welcome, _ws) = welcome_next(&listener).await;
    assert!(fresh.resume.is_none(), "a fresh session follows; [M3.5] an unknown reason too");
}

// [M7.11] a silent link is dead: the client abandons it and resumes (45 s by default)
#[tokio::test]
async fn a_silent_link_is_abandoned_and_resumed() {
    assert_eq!(DEFAULT_IDLE_TIMEOUT, KEEPALIVE_DEAD_AFTER);
    assert_eq!(KEEPALIVE_DEAD_AFTER, Duration::from_secs(45));
    let mut config = client_config();
    config.timeouts.idle = Some(Duration::from_millis(300));
    let (listener, client) = client_of_raw_server(config).await;
    let (_hello, welcome, _silent) = welcome_next(&listener).await;
    connected(&client).await;
    let Frame::Hello(hello) = next_frame(&mut accept_v1(&listener).await).await else { panic!() };
    assert_eq!(hello.resume.map(|resume| resume.session), Some(welcome.session));
}

// [M6.8] a sender never sends a DATA twice on one connection: a server that keeps the link
// alive with its keepalive (`ACK 0` every 15 s, [M7.10]) but never acks a message gets each
// message once, for 5 minutes of paused time (the client's outbox has no ack timeout).
#[tokio::test(start_paused = true)]
async fn an_unacked_message_is_not_sent_again_on_a_live_connection() {
    let (listener, client) = client_of_raw_server(client_config()).await;
    let (_hello, _welcome, mut ws) = welcome_next(&listener).await;
    connected(&client).await;
    for text in ["a", "b", "c"] {
        client.send(Message::text(text)).unwrap();
    }
    let _held = ManualClock::hold();
    let mut data = Vec::new();
    for round in 0..20u8 {
        tokio::time::advance(KEEPALIVE_INTERVAL).await;
        ws.send(to_message(&Frame::Ack(0))).await.unwrap();
        data.extend(data_until_pong(&mut ws, round).await);
    }
    assert_eq!(data, [(1, "a".to_owned()), (2, "b".to_owned()), (3, "c".to_owned())]);
    assert!(listener.accept().now_or_never().is_none(), "the link stayed up: no resume");
}

/// Time that moves only when the test says (`tokio::time::advance`) while it lives: a
/// blocking task held open keeps tokio's paused clock from jumping to the next timer while
/// the test waits for the client on a socket.
struct ManualClock {
    _release: std::sync::mpsc::Sender<()>,
}

impl ManualClock {
    fn hold() -> Self {
        let (release, held) = std::sync::mpsc::channel::<()>();
        tokio::task::spawn_blocking(move || held.recv());
        ManualClock { _release: release }
    }
}

/// The DATA frames read from `ws` until the pong to a ping sent now: everything the client
/// sent before it answered (its reader answers in order). The link must stay open.
async fn data_until_pong(ws: &mut Raw, round: u8) -> Vec<(u64, String)> {
    ws.send(Message::Ping(vec![round].into())).await.unwrap();
    let mut data = Vec::new();
    loop {
        let message = ws.next().await.expect("the link stays open").unwrap();
        match from_message(&message, &Limits::default()).unwrap() {
            Some(Frame::Data(one)) => data.push((one.seq, payload_text(&one.payload))),
            _ if message == Message::Pong(vec![round].into()) => return data,
            _ => assert!(!message.is_close(), "closed: {message:?}"),
        }
    }
}

fn payload_text(payload: &Payload) -> String {
    match payload {
        Payload::Text(text) => text.to_string(),
        Payload::Binary(bytes) => format!("{bytes:?}"),
    }
}
