//! Fair admission through the server's own accept loop, over real loopback sockets bound
//! to distinct sources (127.0.0.2, .3, .4): one address over its limit is refused with 1013
//! while another is welcomed, and behind a trusted proxy the client named in
//! `X-Forwarded-For` is what counts, while the same header from anyone else is ignored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::SinkExt;
use std::net::{Ipv4Addr, SocketAddr};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::conn::{ForwardedHeader, TrustedProxies};
use ws_reliability::protocol::{to_message, Frame, Hello};
use ws_reliability::server::ServerConfig;

const FLOODER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const BYSTANDER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
const STRANGER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);

/// A wsr.v1 upgrade from `source` (with an `X-Forwarded-For` if given) and a HELLO: the
/// socket once its WELCOME came, or the close code it got instead.
async fn hello_from(
    source: Ipv4Addr,
    server: SocketAddr,
    forwarded_for: Option<&str>,
) -> Result<Raw, Option<u16>> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source.into(), 0)).unwrap();
    let stream = socket.connect(server).await.unwrap();
    let mut request = url(server).into_client_request().unwrap();
    if let Some(client) = forwarded_for {
        request.headers_mut().insert("x-forwarded-for", client.parse().unwrap());
    }
    let mut ws = ws_reliability::protocol::connect(request, stream, None).await.unwrap().0;
    // A refused socket is closed (1013) before its HELLO is read; the send may still work.
    let _sent_or_closed = ws.send(to_message(&Frame::Hello(Hello::default()))).await;
    match guarded("the answer to HELLO", futures::StreamExt::next(&mut ws)).await {
        Some(Ok(Message::Close(frame))) => Err(frame.map(|frame| u16::from(frame.code))),
        Some(Ok(message)) if message.is_binary() => Ok(ws),
        other => panic!("expected WELCOME or a close, got {other:?}"),
    }
}

fn limits(max_connections: usize) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.conn.limits.per_address.max_connections = max_connections;
    config
}

#[tokio::test]
async fn an_address_at_its_limit_is_refused_while_a_bystander_is_welcomed() {
    let (server, listener) = server(limits(3)).await;
    let addr = listener.local_addr();
    let mut held = vec![hello_from(BYSTANDER, addr, None).await.expect("the bystander")];
    for _ in 0..3 {
        held.push(hello_from(FLOODER, addr, None).await.expect("under the limit"));
    }
    for _ in 0..5 {
        let refused = hello_from(FLOODER, addr, None).await.expect_err("over the limit");
        assert_eq!(refused, Some(1013));
    }
    held.push(hello_from(BYSTANDER, addr, None).await.expect("the bystander, after the flood"));
    assert_eq!(server.registry().addresses_tracked(), 2);
    wait_until("the five welcomed registered", || server.registry().len() == 5).await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_counts_and_a_spoofer_does_not() {
    let mut config = limits(1);
    let proxies = TrustedProxies::new(["127.0.0.1/32"], ForwardedHeader::XForwardedFor).unwrap();
    config.conn.limits.per_address.proxies = proxies;
    let (_server, listener) = server(config).await;
    let addr = listener.local_addr();
    let proxy = Ipv4Addr::LOCALHOST;
    let _first = hello_from(proxy, addr, Some("198.51.100.1")).await.expect("one client");
    let twice = hello_from(proxy, addr, Some("6.6.6.6, 198.51.100.1")).await;
    assert_eq!(twice.err(), Some(Some(1013)), "the same client behind the proxy");
    let _other = hello_from(proxy, addr, Some("198.51.100.2")).await.expect("another client");
    let _stranger = hello_from(STRANGER, addr, Some("198.51.100.3")).await.expect("its own");
    let spoofed = hello_from(STRANGER, addr, Some("198.51.100.4")).await;
    assert_eq!(spoofed.err(), Some(Some(1013)), "an untrusted peer's header is ignored");
}
