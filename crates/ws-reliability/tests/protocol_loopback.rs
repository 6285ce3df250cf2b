//! wsr.v1 over real loopback sockets with tokio-tungstenite: subprotocol negotiation, a
//! HELLO/WELCOME exchange, sequenced DATA with duplicates dropped and batched acks, and a
//! legacy client that does not negotiate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::http::header::{HeaderMap, SEC_WEBSOCKET_PROTOCOL};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use ws_reliability::protocol::*;

type Socket = WebSocketStream<TcpStream>;

async fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    (listener, url)
}

/// A wsr.v1 client connected to `url` over a fresh TCP stream.
async fn connected(url: &str) -> (Socket, Mode) {
    let address = url.trim_start_matches("ws://").trim_end_matches("/ws");
    let stream = TcpStream::connect(address).await.unwrap();
    connect(url, stream, None).await.unwrap()
}

async fn accepted(listener: &TcpListener) -> (Socket, Mode) {
    let (stream, _) = listener.accept().await.unwrap();
    accept(stream, None).await.unwrap()
}

async fn next_frame(socket: &mut Socket) -> Frame {
    let message = socket.next().await.unwrap().unwrap();
    from_message(&message, &Limits::default()).unwrap().unwrap()
}

fn text(seq: u64, body: &str) -> Message {
    data_message(seq, &Payload::Text(body.into()))
}

/// The server side of the test: answers HELLO, then receives DATA in order and acks.
async fn serve(listener: TcpListener) -> Vec<String> {
    let (mut socket, mode) = accepted(&listener).await;
    assert_eq!(mode, Mode::V1);
    let Frame::Hello(Hello { resume: None, auth, .. }) = next_frame(&mut socket).await else {
        panic!("expected a fresh hello")
    };
    assert_eq!(&auth[..], b"bearer x");
    let session = SessionId::generate().unwrap();
    let token = ResumeToken::generate().unwrap();
    let welcome = Welcome {
        resumed: false,
        session,
        token,
        last_received: 0,
        limits: Limits::default(),
        batch: false,
    };
    socket.send(to_message(&Frame::Welcome(welcome))).await.unwrap();
    let (mut order, mut acks) =
        (InOrder::new(), AckBatcher::new(AckConfig { every: 2, ..AckConfig::default() }));
    let mut delivered = Vec::new();
    while delivered.len() < 3 {
        let Frame::Data(data) = next_frame(&mut socket).await else { panic!("expected data") };
        if order.accept(data.seq).unwrap() == Delivery::Deliver {
            let Payload::Text(body) = data.payload else { panic!("expected text") };
            delivered.push(body.to_string());
        }
        if let Some(ack) = acks.record(data.seq) {
            socket.send(to_message(&Frame::Ack(ack))).await.unwrap();
        }
    }
    assert_eq!(acks.flush(), None, "the fourth frame completed a batch of two");
    socket.close(None).await.ok();
    delivered
}

#[tokio::test]
async fn a_v1_session_over_loopback_delivers_once_and_in_order() {
    let (listener, url) = listener().await;
    let server = tokio::spawn(serve(listener));
    let (mut client, mode) = connected(&url).await;
    assert_eq!(mode, Mode::V1);
    let hello = Hello { resume: None, auth: "bearer x".into(), batch: false };
    client.send(to_message(&Frame::Hello(hello))).await.unwrap();
    let Frame::Welcome(welcome) = next_frame(&mut client).await else { panic!("no welcome") };
    assert!(!welcome.resumed);
    assert_eq!(welcome.limits, Limits::default());
    for message in [text(1, "a"), text(2, "b"), text(1, "a again"), text(3, "c")] {
        client.send(message).await.unwrap();
    }
    let mut acked = Vec::new();
    while let Some(Ok(message)) = client.next().await {
        if let Some(Frame::Ack(seq)) = from_message(&message, &Limits::default()).unwrap() {
            acked.push(seq);
        }
    }
    assert_eq!(server.await.unwrap(), ["a", "b", "c"]);
    // seq 1, 2 → ack 2; the duplicate of 1 and seq 3 → ack 3
    assert_eq!(acked, [2, 3]);
}

#[tokio::test]
async fn a_client_that_does_not_offer_wsr_v1_gets_legacy_plain_frames() {
    let (listener, url) = listener().await;
    let server = tokio::spawn(async move {
        let (mut socket, mode) = accepted(&listener).await;
        socket.send(Payload::Text("plain".into()).into_message()).await.unwrap();
        mode
    });
    let (mut client, response) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(selected(response.headers()), Mode::Legacy);
    let message = client.next().await.unwrap().unwrap();
    assert_eq!(message, Message::text("plain"));
    assert_eq!(server.await.unwrap(), Mode::Legacy);
}

// [M1.1] wsr.v1 is selected whenever it is offered
#[tokio::test]
async fn a_server_selects_wsr_v1_among_several_offers() {
    let (listener, url) = listener().await;
    let server = tokio::spawn(async move { accepted(&listener).await.1 });
    let mut request = client_request(url.as_str()).unwrap();
    request.headers_mut().insert(SEC_WEBSOCKET_PROTOCOL, "chat, wsr.v1".parse().unwrap());
    let (_client, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(selected(response.headers()), Mode::V1);
    assert_eq!(server.await.unwrap(), Mode::V1);
}

#[test]
fn offers_are_read_from_every_header_value() {
    let mut headers = HeaderMap::new();
    assert_eq!(offered(&headers), Mode::Legacy);
    headers.append(SEC_WEBSOCKET_PROTOCOL, "chat".parse().unwrap());
    assert_eq!(offered(&headers), Mode::Legacy);
    headers.append(SEC_WEBSOCKET_PROTOCOL, "mqtt , wsr.v1".parse().unwrap());
    assert_eq!(offered(&headers), Mode::V1);
    let mut reply = HeaderMap::new();
    reply.insert(SEC_WEBSOCKET_PROTOCOL, "wsr.v2".parse().unwrap());
    assert_eq!(selected(&reply), Mode::Legacy);
    assert_eq!(SUBPROTOCOL, "wsr.v1");
}

/// A server that reads one wsr.v1 frame under `limits` and closes with the code the error
/// names; returns the code it closed with.
async fn close_on_first_error(listener: TcpListener, limits: Limits) -> u16 {
    let (stream, _) = listener.accept().await.unwrap();
    let (mut socket, _) = accept(stream, Some(limits.websocket_config())).await.unwrap();
    let code = match socket.next().await.unwrap() {
        Ok(message) => from_message(&message, &limits).unwrap_err().close_code(),
        Err(error) => CloseCode::for_ws_error(&error).unwrap(),
    };
    socket.close(Some(code.frame("refused"))).await.ok();
    code.code()
}

async fn refused_with(limits: Limits, message: Message) -> (u16, u16) {
    let (listener, url) = listener().await;
    let server = tokio::spawn(close_on_first_error(listener, limits));
    let (mut client, _) = connected(&url).await;
    client.send(message).await.unwrap();
    let seen = loop {
        match client.next().await {
            Some(Ok(Message::Close(Some(frame)))) => break u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    (server.await.unwrap(), seen)
}

// [M6.5] a message over max_payload + 11 closes with 1009
#[tokio::test]
async fn an_oversized_message_is_closed_with_1009() {
    let limits = Limits { max_payload: 16, ..Limits::default() };
    let big = data_message(1, &Payload::Binary(vec![0; 64].into()));
    assert_eq!(refused_with(limits, big).await, (1009, 1009));
}

// [M2.1] a text message and [M2.5] an unknown frame type close with 1002
#[tokio::test]
async fn a_malformed_frame_is_closed_with_1002() {
    let garbage = Message::binary(vec![0x42, 0x00]);
    assert_eq!(refused_with(Limits::default(), garbage).await, (1002, 1002));
    assert_eq!(refused_with(Limits::default(), Message::text("hi")).await, (1002, 1002));
}

#[test]
fn the_websocket_config_enforces_the_limits() {
    let limits = Limits { max_payload: 100, ..Limits::default() };
    let config = limits.websocket_config();
    assert_eq!(config.max_message_size, Some(111));
    assert_eq!(config.max_frame_size, Some(111));
    assert_eq!((config.read_buffer_size, config.write_buffer_size), (4096, 4096));
    assert!(config.max_write_buffer_size > config.write_buffer_size + 111);
    let io = tokio_tungstenite::tungstenite::Error::Io(std::io::ErrorKind::Other.into());
    assert_eq!(CloseCode::for_ws_error(&io), None);
}

#[test]
fn a_dropped_peer_is_a_lost_connection_not_a_protocol_error() {
    use tokio_tungstenite::tungstenite::error::{Error, ProtocolError};
    let dropped = Error::Protocol(ProtocolError::ResetWithoutClosingHandshake);
    assert_eq!(CloseCode::for_ws_error(&dropped), None);
    let broken = Error::Protocol(ProtocolError::NonZeroReservedBits);
    assert_eq!(CloseCode::for_ws_error(&broken), Some(CloseCode::ProtocolError));
}
