//! The handler's answers: 101 Switching Protocols with `Sec-WebSocket-Accept` and the
//! selected subprotocol, 403 for a refused `Origin`, 503 past the handshake limit.

use crate::protocol::{Mode, SUBPROTOCOL};
use axum::body::Body;
use axum::http::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_PROTOCOL, UPGRADE};
use axum::http::response::Builder;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use ws_conn::OriginRefused;

/// The 101 answering the upgrade whose `Sec-WebSocket-Key` is `key`, selecting `wsr.v1`
/// for [`Mode::V1`] (legacy clients get no subprotocol).
pub(super) fn switching(key: &HeaderValue, mode: Mode) -> Response {
    let builder = Response::builder().status(StatusCode::SWITCHING_PROTOCOLS);
    let builder = builder.header(CONNECTION, "upgrade").header(UPGRADE, "websocket");
    let builder = builder.header(SEC_WEBSOCKET_ACCEPT, derive_accept_key(key.as_bytes()));
    let built = selected(builder, mode).body(Body::empty());
    // unreachable (every header above is valid); hyper would then not upgrade, and the
    // waiting task counts the upgrade as failed
    built.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn selected(builder: Builder, mode: Mode) -> Builder {
    match mode {
        Mode::V1 => builder.header(SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL),
        Mode::Legacy => builder,
    }
}

/// 403 for an `Origin` the server's policy refuses, as the server's own handshake answers.
pub(super) fn forbidden(refused: &OriginRefused) -> Response {
    (StatusCode::FORBIDDEN, refused.to_string()).into_response()
}

/// 503 when `max_in_progress` upgrades are already waiting for their connection.
pub(super) fn busy(max: usize) -> Response {
    let reason = format!("{max} WebSocket upgrades already in progress, try again later");
    (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
}
