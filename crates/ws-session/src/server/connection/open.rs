//! The opening of a connection, before its session runs: admission in the registry, the
//! HELLO (wsr.v1) or the legacy session, and the refusals, each closing the socket once its
//! slot in the registry is freed (the close waits up to 5 s for the peer, holding none).

use super::super::auth::Upgrade;
use super::super::handshake::origin_check;
use super::super::hello::{close_with, Opened, Refused};
use super::super::SessionServer;
use super::Ready;
use crate::protocol::{CloseCode, Hello, Mode, SessionId};
use std::net::IpAddr;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::WebSocketStream;
use ws_conn::Admission;

impl SessionServer {
    /// Admits an upgraded socket and opens its session (HELLO for wsr.v1); `None` once it
    /// was refused and closed. With the peer's address known, it is admitted under the
    /// per-address limits of its client (behind a trusted proxy, the address the proxy's
    /// header names); else under the global limits alone.
    pub(crate) async fn open_upgraded<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        upgrade: Upgrade,
    ) -> Option<Ready<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.ensure_started();
        let client = upgrade.peer.map(|peer| self.client_of(peer.ip(), upgrade.headers.as_ref()));
        let (ws, admission) = self.admit(ws, client).await?;
        let opening = match mode {
            Mode::V1 => self.open_v1(ws, upgrade).await,
            Mode::Legacy => self.open_legacy(ws, upgrade).await,
        };
        self.settle(opening, admission).await
    }

    /// An upgrade the application performed: its `Origin` checked first (refused, it is
    /// closed with 1008: too late for a 403), then admitted and opened.
    pub(crate) async fn open_foreign<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        upgrade: Upgrade,
    ) -> Option<Ready<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let origins = &self.inner.config.conn.limits.origins;
        let headers = upgrade.headers.as_ref();
        if headers.is_some_and(|headers| origin_check(origins, headers).is_err()) {
            close_with(ws, CloseCode::Policy).await;
            return None;
        }
        self.open_upgraded(ws, mode, upgrade).await
    }

    /// The connection ready to run, or the refusal answered after the admission's slot is
    /// freed: a socket that never said HELLO holds no slot while its close waits.
    async fn settle<S>(&self, opening: Opening<S>, admission: Admission) -> Option<Ready<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        match opening {
            Ok((ws, opened)) => Some(Ready::new(ws, admission, opened)),
            Err(turned) => {
                drop(admission);
                self.refuse(turned.ws, turned.presented, turned.refused).await
            }
        }
    }

    /// The client behind a socket from `peer`: `peer`, or the address named in the header
    /// of a trusted proxy (`conn.limits.per_address.proxies`).
    fn client_of(&self, peer: IpAddr, headers: Option<&HeaderMap>) -> IpAddr {
        let proxies = &self.inner.config.conn.limits.per_address.proxies;
        let lines =
            headers.into_iter().flat_map(|headers| headers.get_all(proxies.header().name()));
        proxies.client(peer, lines.filter_map(|line| line.to_str().ok()))
    }

    /// A slot in the registry, by the client's address when known; a refusal is closed
    /// with its close code (1013).
    async fn admit<S>(
        &self,
        ws: WebSocketStream<S>,
        client: Option<IpAddr>,
    ) -> Option<(WebSocketStream<S>, Admission)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match self.admission(client) {
            Ok(admission) => Some((ws, admission)),
            Err(error) => {
                close_with(ws, refusal_code(&error)).await;
                None
            }
        }
    }

    /// A slot by the client's address, or (address unknown) under the global limits alone.
    fn admission(&self, client: Option<IpAddr>) -> Result<Admission, ws_conn::ConnError> {
        let registry = &self.inner.registry;
        client.map_or_else(|| registry.admit(), |client| registry.admit_from(client))
    }

    /// Reads the HELLO and opens or resumes its session, or says why not.
    async fn open_v1<S>(&self, mut ws: WebSocketStream<S>, upgrade: Upgrade) -> Opening<S>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match self.read_hello(&mut ws).await {
            Ok(hello) => self.greet(ws, hello, upgrade).await,
            Err(code) => Err(Turned::closed(ws, code)),
        }
    }

    async fn greet<S>(&self, ws: WebSocketStream<S>, hello: Hello, upgrade: Upgrade) -> Opening<S>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let presented = hello.resume.as_ref().map(|resume| resume.session);
        match self.open(hello, upgrade).await {
            Ok(opened) => Ok((ws, opened)),
            Err(refused) => Err(Turned { ws, presented, refused }),
        }
    }

    async fn open_legacy<S>(&self, ws: WebSocketStream<S>, upgrade: Upgrade) -> Opening<S>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let request = upgrade.request(Default::default(), None);
        match self.open_fresh(Mode::Legacy, &request).await {
            Ok(opened) => Ok((ws, opened)),
            Err(refused) => Err(Turned { ws, presented: None, refused }),
        }
    }
}

/// The socket with its session open, or the refusal to answer on it.
type Opening<S> = Result<(WebSocketStream<S>, Opened), Turned<S>>;

/// A socket whose opening was refused, and what to answer before closing it.
struct Turned<S> {
    ws: WebSocketStream<S>,
    /// The session a refused resume presented.
    presented: Option<SessionId>,
    refused: Refused,
}

impl<S> Turned<S> {
    /// Refused with a close code alone.
    fn closed(ws: WebSocketStream<S>, code: CloseCode) -> Self {
        Turned { ws, presented: None, refused: Refused::Close(code) }
    }
}

/// The close code of a refused admission (1013 when the registry names none).
fn refusal_code(error: &ws_conn::ConnError) -> CloseCode {
    let code = error.close_code().map(|code| code.as_u16());
    code.and_then(CloseCode::from_code).unwrap_or(CloseCode::TryAgainLater)
}
