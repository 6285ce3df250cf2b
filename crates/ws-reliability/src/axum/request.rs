//! The checks of a WebSocket upgrade request (RFC 6455 § 4.2.1, HTTP/1.1), and what the
//! handler keeps of it: the key, the offered mode, the URI, the headers, the peer address
//! and hyper's `OnUpgrade`.

use super::{ReliableUpgrade, UpgradeRejection};
use crate::protocol::offered;
use axum::extract::ConnectInfo;
use axum::http::header::{CONNECTION, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Version};
use hyper::upgrade::OnUpgrade;
use std::net::SocketAddr;

/// The upgrade `parts` asks for, its `OnUpgrade` taken out of the extensions; or why the
/// request is not one.
pub(super) fn checked(parts: &mut Parts) -> Result<ReliableUpgrade, UpgradeRejection> {
    let key = handshake_key(parts)?;
    let on_upgrade = parts.extensions.remove::<OnUpgrade>();
    let on_upgrade = on_upgrade.ok_or(UpgradeRejection::NotUpgradable)?;
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0);
    let mode = offered(&parts.headers);
    let uri = parts.uri.clone();
    let headers = parts.headers.clone();
    Ok(ReliableUpgrade { key, mode, uri, headers, peer, on_upgrade })
}

/// The `Sec-WebSocket-Key` of a well-formed HTTP/1.1 upgrade request.
fn handshake_key(parts: &Parts) -> Result<HeaderValue, UpgradeRejection> {
    required(parts.version <= Version::HTTP_11, UpgradeRejection::NotUpgradable)?;
    required(parts.method == Method::GET, UpgradeRejection::MethodNotGet)?;
    let headers = &parts.headers;
    required(has_token(headers, CONNECTION, "upgrade"), UpgradeRejection::ConnectionNotUpgrade)?;
    required(is(headers, UPGRADE, "websocket"), UpgradeRejection::UpgradeNotWebSocket)?;
    required(is(headers, SEC_WEBSOCKET_VERSION, "13"), UpgradeRejection::UnsupportedVersion)?;
    headers.get(SEC_WEBSOCKET_KEY).cloned().ok_or(UpgradeRejection::KeyMissing)
}

fn required(holds: bool, otherwise: UpgradeRejection) -> Result<(), UpgradeRejection> {
    holds.then_some(()).ok_or(otherwise)
}

/// Whether header `name` is `value` (ASCII case ignored).
fn is(headers: &HeaderMap, name: HeaderName, value: &str) -> bool {
    let found = headers.get(name).map(HeaderValue::as_bytes);
    found.is_some_and(|found| found.eq_ignore_ascii_case(value.as_bytes()))
}

/// Whether the comma-separated header `name` lists `token` (ASCII case ignored).
fn has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    let values = headers.get_all(name).into_iter().filter_map(|value| value.to_str().ok());
    let mut tokens = values.flat_map(|value| value.split(',')).map(str::trim);
    tokens.any(|listed| listed.eq_ignore_ascii_case(token))
}
