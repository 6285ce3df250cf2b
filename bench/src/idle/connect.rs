//! The parent's side of the memory probe: idle client connections to the child's server,
//! opened a few at a time and held without traffic. Raw clients use the same 4 KiB
//! buffers as the server; reliable clients wait for their WELCOME, so the server holds
//! their sessions.

use crate::args::ServerKind;
use crate::push::reliable::{self, Connected};
use crate::push::CONNECTS_AT_ONCE;
use crate::BenchError;
use futures::{StreamExt, TryStreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use ws_reliability::protocol::Limits;

/// Idle connections held open until [`close`](Held::close).
#[derive(Debug)]
pub enum Held {
    /// Plain tokio-tungstenite clients.
    Raw(Vec<WebSocketStream<MaybeTlsStream<TcpStream>>>),
    /// ReliableClients with their sessions.
    Reliable(Vec<Connected>),
}

impl Held {
    /// Closes every connection.
    pub async fn close(self) {
        if let Held::Reliable(connected) = self {
            let clients = connected.into_iter().map(|one| one.client.shutdown());
            futures::future::join_all(clients).await;
        }
    }

    /// How many connections are held.
    pub fn len(&self) -> usize {
        match self {
            Held::Raw(clients) => clients.len(),
            Held::Reliable(clients) => clients.len(),
        }
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Opens `count` idle connections of `kind` to the server at `addr`.
pub async fn open(kind: ServerKind, addr: &str, count: usize) -> Result<Held, BenchError> {
    let url = format!("ws://{addr}/");
    match kind {
        ServerKind::Raw => Ok(Held::Raw(open_raw(&url, count).await?)),
        ServerKind::Reliable => Ok(Held::Reliable(reliable::connect(&url, count).await?)),
    }
}

async fn open_raw(
    url: &str,
    count: usize,
) -> Result<Vec<WebSocketStream<MaybeTlsStream<TcpStream>>>, BenchError> {
    let config = Some(Limits::default().websocket_config());
    let dial = |_| async move {
        Ok(tokio_tungstenite::connect_async_with_config(url, config, true).await?.0)
    };
    futures::stream::iter(0..count).map(dial).buffer_unordered(CONNECTS_AT_ONCE).try_collect().await
}
