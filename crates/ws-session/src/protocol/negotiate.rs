//! Subprotocol negotiation: a client that offers `wsr.v1` in `Sec-WebSocket-Protocol` speaks
//! wsr.v1; any other client gets plain frames (legacy mode).

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request as ClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::header::{
    HeaderMap, HeaderValue, SEC_WEBSOCKET_PROTOCOL,
};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::WebSocketStream;

/// The subprotocol name of wire protocol v1.
pub const SUBPROTOCOL: &str = "wsr.v1";

/// Which protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// wsr.v1: binary frames with sequence numbers, acks and resume.
    V1,
    /// Plain text and binary messages, no acks (the peer did not negotiate wsr.v1).
    Legacy,
}

/// Server side: whether the client offered `wsr.v1` (in any of its listed subprotocols).
pub fn offered(headers: &HeaderMap) -> Mode {
    let values = headers.get_all(SEC_WEBSOCKET_PROTOCOL).iter().filter_map(|v| v.to_str().ok());
    let mut names = values.flat_map(|value| value.split(',')).map(str::trim);
    if names.any(|name| name == SUBPROTOCOL) {
        Mode::V1
    } else {
        Mode::Legacy
    }
}

/// Client side: whether the server selected `wsr.v1` in its handshake response.
pub fn selected(headers: &HeaderMap) -> Mode {
    match headers.get(SEC_WEBSOCKET_PROTOCOL) {
        Some(value) if value == SUBPROTOCOL => Mode::V1,
        _ => Mode::Legacy,
    }
}

/// Server side, inside an `accept_hdr_async` callback: selects `wsr.v1` in `response` when
/// the client offered it, and returns the mode.
pub fn negotiate(request: &Request, response: &mut Response) -> Mode {
    let mode = offered(request.headers());
    if mode == Mode::V1 {
        let value = HeaderValue::from_static(SUBPROTOCOL);
        response.headers_mut().insert(SEC_WEBSOCKET_PROTOCOL, value);
    }
    mode
}

/// Client side: a handshake request for `request` (a URL or a request) that offers `wsr.v1`.
pub fn client_request(request: impl IntoClientRequest) -> Result<ClientRequest, WsError> {
    let mut request = request.into_client_request()?;
    let value = HeaderValue::from_static(SUBPROTOCOL);
    request.headers_mut().insert(SEC_WEBSOCKET_PROTOCOL, value);
    Ok(request)
}

/// Accepts a WebSocket handshake on `stream`, negotiating wsr.v1 when the client offers it.
// The callback's error type (an HTTP response) is fixed by tungstenite.
#[allow(clippy::result_large_err)]
pub async fn accept<S>(
    stream: S,
    config: Option<WebSocketConfig>,
) -> Result<(WebSocketStream<S>, Mode), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut mode = Mode::Legacy;
    let callback = |request: &Request, mut response: Response| {
        mode = negotiate(request, &mut response);
        Ok::<_, ErrorResponse>(response)
    };
    let socket = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, config).await?;
    Ok((socket, mode))
}

/// Performs the client handshake on `stream`, offering wsr.v1, and returns the mode the
/// server selected.
pub async fn connect<S>(
    request: impl IntoClientRequest,
    stream: S,
    config: Option<WebSocketConfig>,
) -> Result<(WebSocketStream<S>, Mode), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = client_request(request)?;
    let connected = tokio_tungstenite::client_async_with_config(request, stream, config).await;
    let (socket, response) = connected?;
    Ok((socket, selected(response.headers())))
}
