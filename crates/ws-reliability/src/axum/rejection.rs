//! Why a request to the WebSocket route is not an upgrade the handler can answer, as an
//! HTTP error response (the statuses of axum's own `WebSocketUpgrade`, and RFC 6455's 426
//! with `Sec-WebSocket-Version: 13` for another protocol version).

use axum::http::header::SEC_WEBSOCKET_VERSION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Why [`ReliableUpgrade`](super::ReliableUpgrade) rejected a request; as a response, a
/// 4xx status with the reason as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpgradeRejection {
    /// Not a `GET` (405).
    #[error("a WebSocket upgrade must be a GET request")]
    MethodNotGet,
    /// No `upgrade` token in `Connection` (400).
    #[error("the `Connection` header does not include `upgrade`")]
    ConnectionNotUpgrade,
    /// `Upgrade` is not `websocket` (400).
    #[error("the `Upgrade` header is not `websocket`")]
    UpgradeNotWebSocket,
    /// `Sec-WebSocket-Key` is missing (400).
    #[error("the `Sec-WebSocket-Key` header is missing")]
    KeyMissing,
    /// `Sec-WebSocket-Version` is not 13 (426, naming version 13).
    #[error("the `Sec-WebSocket-Version` header is not 13")]
    UnsupportedVersion,
    /// The connection cannot be upgraded: HTTP/2 or later, HTTP/1.0, or a hyper connection
    /// served without `with_upgrades` (426).
    #[error("this connection cannot be upgraded (HTTP/1.1 with upgrades is needed)")]
    NotUpgradable,
}

impl UpgradeRejection {
    /// The HTTP status of this rejection.
    pub fn status(&self) -> StatusCode {
        match self {
            UpgradeRejection::MethodNotGet => StatusCode::METHOD_NOT_ALLOWED,
            UpgradeRejection::UnsupportedVersion => StatusCode::UPGRADE_REQUIRED,
            UpgradeRejection::NotUpgradable => StatusCode::UPGRADE_REQUIRED,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for UpgradeRejection {
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.to_string()).into_response();
        if self == UpgradeRejection::UnsupportedVersion {
            let version = HeaderValue::from_static("13");
            response.headers_mut().insert(SEC_WEBSOCKET_VERSION, version);
        }
        response
    }
}
