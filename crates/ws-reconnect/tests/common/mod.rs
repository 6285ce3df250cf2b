//! Helpers shared by the integration tests: an in-memory WebSocket server (real tungstenite
//! framing over `tokio::io::duplex` pipes, so it runs under a paused clock) and event readers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::DuplexStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::WebSocketStream;
use ws_reconnect::{connector_fn, Connector, Event, EventStream, Message};

/// One side of an in-memory WebSocket.
pub type Ws = WebSocketStream<DuplexStream>;

struct Inner {
    up: AtomicBool,
    accepted: mpsc::UnboundedSender<(usize, Ws)>,
    connects: Mutex<Vec<(usize, Instant)>>,
}

/// A server that accepts in-memory connections while it is up.
#[derive(Clone)]
pub struct MemoryServer {
    inner: Arc<Inner>,
}

impl MemoryServer {
    /// A server that is up, and the receiver of its accepted connections (client id, socket).
    pub fn new() -> (Self, mpsc::UnboundedReceiver<(usize, Ws)>) {
        let (accepted, receiver) = mpsc::unbounded_channel();
        let inner = Inner { up: AtomicBool::new(true), accepted, connects: Mutex::new(Vec::new()) };
        (MemoryServer { inner: Arc::new(inner) }, receiver)
    }

    /// Takes the server down (connects are refused) or brings it back.
    pub fn set_up(&self, up: bool) {
        self.inner.up.store(up, Ordering::SeqCst);
    }

    /// Every connect call so far: (client id, when).
    pub fn connects(&self) -> Vec<(usize, Instant)> {
        self.inner.connects.lock().unwrap().clone()
    }

    /// A connector for client `id`.
    pub fn connector(&self, id: usize) -> impl Connector<Connection = Ws> {
        let inner = Arc::clone(&self.inner);
        connector_fn(move || connect(Arc::clone(&inner), id))
    }
}

async fn connect(inner: Arc<Inner>, id: usize) -> io::Result<Ws> {
    inner.connects.lock().unwrap().push((id, Instant::now()));
    if !inner.up.load(Ordering::SeqCst) {
        return Err(io::Error::new(io::ErrorKind::ConnectionRefused, "server down"));
    }
    let (client, server) = tokio::io::duplex(64 * 1024);
    let server = WebSocketStream::from_raw_socket(server, Role::Server, None).await;
    let _test_may_ignore = inner.accepted.send((id, server));
    Ok(WebSocketStream::from_raw_socket(client, Role::Client, None).await)
}

/// Closes a server-side socket with `code`.
pub async fn close_with(mut socket: Ws, code: u16) {
    let frame = CloseFrame { code: CloseCode::from(code), reason: "test".into() };
    socket.send(Message::Close(Some(frame))).await.unwrap();
    // Read until the client's reply so the close handshake completes.
    while let Some(Ok(_)) = socket.next().await {}
}

/// Reads events until one matches `done` (included); panics after `limit` of (test) time.
pub async fn events_until(
    events: &mut EventStream,
    limit: Duration,
    done: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let mut seen = Vec::new();
    let read = async {
        while let Some(event) = events.next().await {
            let finished = done(&event);
            seen.push(event);
            if finished {
                return;
            }
        }
    };
    let outcome = tokio::time::timeout(limit, read).await;
    assert!(outcome.is_ok(), "no matching event within {limit:?}; saw {seen:?}");
    seen
}

/// A short name per event, for order assertions.
pub fn kind(event: &Event) -> &'static str {
    match event {
        Event::Connecting { .. } => "connecting",
        Event::ConnectFailed { .. } => "connect_failed",
        Event::Connected { .. } => "connected",
        Event::Disconnected { .. } => "disconnected",
        Event::Reconnecting { .. } => "reconnecting",
        Event::GaveUp { .. } => "gave_up",
        Event::CallbackFailed { .. } => "callback_failed",
        Event::CircuitOpened { .. } => "circuit_opened",
        Event::CircuitHalfOpened { .. } => "circuit_half_opened",
        Event::CircuitClosed { .. } => "circuit_closed",
        Event::FallbackUsed { .. } => "fallback_used",
        Event::FallbackFailed { .. } => "fallback_failed",
        Event::ShutDown => "shut_down",
        Event::Lagged { .. } => "lagged",
        _ => "other",
    }
}

/// The kinds of a list of events.
pub fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(kind).collect()
}
