//! The attackers' sockets: TCP from a chosen 127.0.0.x source address, the wsr.v1 upgrade,
//! HELLO and WELCOME, and reading how the server ended a connection.

use crate::frames::hello;
use futures::{SinkExt, StreamExt};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// A client's WebSocket.
pub type Ws = WebSocketStream<TcpStream>;

/// The first and last source address the attacks spread over (127.0.0.x): the server's
/// per-address admission (64 connections, 20 per second) stays at its default.
pub const SOURCES: std::ops::RangeInclusive<u8> = 2..=250;
/// The one address of the connection flood beside the bystander (on 127.0.0.1).
pub const FLOOD_SOURCE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 251);
/// How long a connect, an upgrade or a WELCOME may take.
pub const STEP: Duration = Duration::from_secs(5);

/// Source addresses handed out in turn.
#[derive(Debug, Default)]
pub struct Sources {
    next: AtomicU32,
}

impl Sources {
    /// The next source address.
    pub fn next(&self) -> Ipv4Addr {
        source(self.next.fetch_add(1, Ordering::Relaxed))
    }
}

/// The `n`th address of [`SOURCES`], round robin.
pub fn source(n: u32) -> Ipv4Addr {
    let span = u32::from(SOURCES.end() - SOURCES.start()) + 1;
    Ipv4Addr::new(127, 0, 0, SOURCES.start() + (n % span) as u8)
}

/// A TCP connection to `server` from `from`, or the label of its failure.
pub async fn tcp(from: Ipv4Addr, server: SocketAddr) -> Result<TcpStream, String> {
    let socket = TcpSocket::new_v4().map_err(|_| "client_socket_error")?;
    socket.bind(SocketAddr::new(IpAddr::V4(from), 0)).map_err(|_| "client_bind_error")?;
    let connected = timeout(STEP, socket.connect(server)).await.map_err(|_| "connect_timeout")?;
    connected.map_err(|_| "connect_error".to_owned())
}

/// The wsr.v1 upgrade from `from`, or the label of its failure.
pub async fn upgrade(from: Ipv4Addr, server: SocketAddr) -> Result<Ws, String> {
    let stream = tcp(from, server).await?;
    let url = format!("ws://{server}/attack");
    let upgrade = ws_reliability::protocol::connect(url.as_str(), stream, None);
    let upgraded = timeout(STEP, upgrade).await.map_err(|_| "upgrade_timeout")?;
    upgraded.map(|(ws, _mode)| ws).map_err(|_| "upgrade_refused".to_owned())
}

/// A session: upgraded, HELLO sent, WELCOME received; or the label of the failure (the
/// server's close code when it refused the session).
pub async fn welcomed(from: Ipv4Addr, server: SocketAddr, batch: bool) -> Result<Ws, String> {
    let mut ws = upgrade(from, server).await?;
    ws.send(hello(batch)).await.map_err(|_| "hello_write_error")?;
    let first = timeout(STEP, ws.next()).await.map_err(|_| "welcome_timeout")?;
    match first {
        Some(Ok(Message::Binary(bytes))) if bytes.first() == Some(&0x02) => Ok(ws),
        other => Err(ended(other)),
    }
}

/// How a read ended a connection: the close code, `reset` (an error or the end of the
/// stream without a close frame) or `unexpected` (another message).
pub fn ended(read: Option<Result<Message, impl std::fmt::Debug>>) -> String {
    match read {
        Some(Ok(Message::Close(frame))) => crate::tally::close_label(frame.as_ref()),
        Some(Ok(_)) => "unexpected_message".to_owned(),
        _ => "reset".to_owned(),
    }
}

/// Reads (and drops) what the server sends for at most `wait`; how the connection ended,
/// or `open` when it still was.
pub async fn close_of(ws: &mut Ws, wait: Duration) -> String {
    let last = timeout(wait, until_close(ws)).await;
    last.unwrap_or_else(|_| "open".to_owned())
}

async fn until_close(ws: &mut Ws) -> String {
    loop {
        match ws.next().await {
            Some(Ok(Message::Binary(_) | Message::Text(_) | Message::Ping(_))) => continue,
            other => return ended(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_go_round_the_range() {
        assert_eq!(source(0), Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(source(248), Ipv4Addr::new(127, 0, 0, 250));
        assert_eq!(source(249), Ipv4Addr::new(127, 0, 0, 2));
        let sources = Sources::default();
        assert_eq!(sources.next(), source(0));
        assert_eq!(sources.next(), source(1));
    }

    #[test]
    fn reads_are_labelled() {
        let error: Option<Result<Message, ()>> = Some(Err(()));
        assert_eq!(ended(error), "reset");
        let read = |message: Message| -> Option<Result<Message, ()>> { Some(Ok(message)) };
        assert_eq!(ended(None::<Result<Message, ()>>), "reset");
        assert_eq!(ended(read(Message::text("x"))), "unexpected_message");
        assert_eq!(ended(read(Message::Close(None))), "close_without_code");
    }
}
