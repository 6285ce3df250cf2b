//! The opening of a connection, before its session runs: admission in the registry, the
//! HELLO (wsr.v1) or the legacy session, and the refusals, each closing the socket.

use super::super::hello::{close_with, Opened};
use super::super::ReliableServer;
use super::Ready;
use crate::protocol::{CloseCode, Hello, Mode};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::WebSocketStream;
use ws_conn::Admission;

impl ReliableServer {
    /// Admits an upgraded socket and opens its session (HELLO for wsr.v1); `None` once it
    /// was refused and closed.
    pub(crate) async fn open_upgraded<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        headers: Option<HeaderMap>,
    ) -> Option<Ready<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.ensure_maintenance();
        let (ws, admission) = self.admit(ws).await?;
        let (ws, opened) = match mode {
            Mode::V1 => self.open_v1(ws, headers).await?,
            Mode::Legacy => self.open_legacy(ws, headers).await?,
        };
        Some(Ready::new(ws, admission, opened))
    }

    async fn admit<S>(&self, ws: WebSocketStream<S>) -> Option<(WebSocketStream<S>, Admission)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match self.inner.registry.admit() {
            Ok(admission) => Some((ws, admission)),
            Err(error) => {
                close_with(ws, refusal_code(&error)).await;
                None
            }
        }
    }

    /// Reads the HELLO and opens or resumes its session; refuses it otherwise.
    async fn open_v1<S>(
        &self,
        mut ws: WebSocketStream<S>,
        headers: Option<HeaderMap>,
    ) -> Option<(WebSocketStream<S>, Opened)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match self.read_hello(&mut ws).await {
            Ok(hello) => self.greet(ws, hello, headers).await,
            Err(code) => refused_with(ws, code).await,
        }
    }

    async fn greet<S>(
        &self,
        ws: WebSocketStream<S>,
        hello: Hello,
        headers: Option<HeaderMap>,
    ) -> Option<(WebSocketStream<S>, Opened)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let presented = hello.resume.as_ref().map(|resume| resume.session);
        match self.open(hello, headers) {
            Ok(opened) => Some((ws, opened)),
            Err(refused) => self.refuse(ws, presented, refused).await,
        }
    }

    async fn open_legacy<S>(
        &self,
        ws: WebSocketStream<S>,
        headers: Option<HeaderMap>,
    ) -> Option<(WebSocketStream<S>, Opened)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let request =
            super::super::AuthRequest { headers, auth: Default::default(), resuming: None };
        match self.open_fresh(Mode::Legacy, &request) {
            Ok(opened) => Some((ws, opened)),
            Err(_) => refused_with(ws, CloseCode::Policy).await,
        }
    }
}

/// Closes a refused socket with `code`; nothing to run.
async fn refused_with<S, T>(ws: WebSocketStream<S>, code: CloseCode) -> Option<T>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    close_with(ws, code).await;
    None
}

/// The close code of a refused admission (1013 when the registry names none).
fn refusal_code(error: &ws_conn::ConnError) -> CloseCode {
    let code = error.close_code().map(|code| code.as_u16());
    code.and_then(CloseCode::from_code).unwrap_or(CloseCode::TryAgainLater)
}
