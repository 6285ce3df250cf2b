//! The application's authentication hook, run on every HELLO (fresh and resume): it turns
//! the upgrade request and the HELLO `auth` bytes into the session's [`Identity`], or a
//! [`Refusal`] whose reason reaches the client. `ws-reliability` re-exports these in its
//! `server` module and runs the hook (`ReliableServer::with_auth`).

use crate::protocol::SessionId;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::http::{HeaderMap, Uri};
use tokio_tungstenite::tungstenite::Bytes;

/// Who a session belongs to: a stable byte key the application chooses (a user id, an
/// account and device, a JSON document) and maps back to its own type. Storable as it
/// is, so a session store can keep it across a restart; compared byte for byte on every
/// resume (a resume by another identity is refused).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Identity(Bytes);

impl Identity {
    /// The identity with this key.
    pub fn new(key: impl Into<Bytes>) -> Self {
        Identity(key.into())
    }

    /// The identity of a server that lets everyone in: the empty key.
    pub fn anonymous() -> Self {
        Identity::default()
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key as text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Display for Identity {
    /// The key as text (invalid UTF-8 replaced).
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl From<&str> for Identity {
    fn from(key: &str) -> Self {
        Identity::new(Bytes::copy_from_slice(key.as_bytes()))
    }
}

impl From<String> for Identity {
    fn from(key: String) -> Self {
        Identity::new(key)
    }
}

/// The hook's refusal: its reason goes to the client in an ERROR frame and the close
/// frame (code 1008; the close reason cut to fit the 123 bytes a close frame allows).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused: {reason}")]
pub struct Refusal {
    /// Why, for the client.
    pub reason: String,
}

impl Refusal {
    /// A refusal with `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        Refusal { reason: reason.into() }
    }
}

impl From<&str> for Refusal {
    fn from(reason: &str) -> Self {
        Refusal::new(reason)
    }
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Refusal::new(reason)
    }
}

/// What the authentication hook sees.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuthRequest {
    /// The upgrade request's URI, path and query string, when the server saw the request
    /// (its own handshake, or an upgrade handed over with its request).
    pub uri: Option<Uri>,
    /// The upgrade request's headers (cookies, `Origin`, `Authorization`), when the server
    /// saw the request.
    pub headers: Option<HeaderMap>,
    /// The peer's socket address, when the server accepted the socket itself.
    pub peer: Option<SocketAddr>,
    /// The `auth` bytes of the HELLO frame (empty for legacy clients).
    pub auth: Bytes,
    /// The session being resumed, `None` for a fresh session.
    pub resuming: Option<SessionId>,
}

/// What the server knows of an upgrade request before its HELLO: the URI, the headers and
/// the peer's address, each when known.
#[derive(Debug, Clone, Default)]
pub struct Upgrade {
    /// The request's URI, when the server saw the request.
    pub uri: Option<Uri>,
    /// The request's headers, when the server saw the request.
    pub headers: Option<HeaderMap>,
    /// The peer's socket address, when the server accepted the socket itself.
    pub peer: Option<SocketAddr>,
}

impl Upgrade {
    /// The URI and headers of the request the server's own handshake answered.
    pub fn of(request: &tokio_tungstenite::tungstenite::handshake::server::Request) -> Self {
        let uri = Some(request.uri().clone());
        Upgrade { uri, headers: Some(request.headers().clone()), peer: None }
    }

    /// The hook's view of this upgrade with a HELLO's `auth` bytes and resumed session.
    pub fn request(self, auth: Bytes, resuming: Option<SessionId>) -> AuthRequest {
        let Upgrade { uri, headers, peer } = self;
        AuthRequest { uri, headers, peer, auth, resuming }
    }
}

/// Decides whether a client may open or resume a session: the session's [`Identity`], or
/// a [`Refusal`] (close 1008 with its reason). On a resume the identity must equal the
/// session's, or the resume is refused.
pub type AuthHook = Arc<dyn Fn(&AuthRequest) -> Result<Identity, Refusal> + Send + Sync>;

/// The default hook: everyone is let in, as [`Identity::anonymous`].
pub fn allow_all() -> AuthHook {
    Arc::new(|_request| Ok(Identity::anonymous()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_is_its_key() {
        let alice = Identity::from("alice");
        assert_eq!(alice.as_bytes(), b"alice");
        assert_eq!(alice.as_str(), Some("alice"));
        assert_eq!(alice.to_string(), "alice");
        assert_eq!(alice, Identity::from(String::from("alice")));
        assert_ne!(alice, Identity::anonymous());
        assert_eq!(Identity::new(vec![0xff]).as_str(), None);
    }

    #[test]
    fn a_refusal_carries_its_reason() {
        assert_eq!(Refusal::from("expired token").to_string(), "refused: expired token");
        assert_eq!(Refusal::from(String::from("x")).reason, "x");
    }
}
