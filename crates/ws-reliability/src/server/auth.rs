//! The application's authentication hook, run on every HELLO (fresh and resume).

use crate::protocol::SessionId;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::tungstenite::Bytes;

/// What the authentication hook sees.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthRequest {
    /// The HTTP upgrade request's headers, when the server did the handshake itself.
    pub headers: Option<HeaderMap>,
    /// The `auth` bytes of the HELLO frame (empty for legacy clients).
    pub auth: Bytes,
    /// The session being resumed, `None` for a fresh session.
    pub resuming: Option<SessionId>,
}

/// Decides whether a client may open or resume a session: `Err(reason)` closes with 1008.
pub type AuthHook = Arc<dyn Fn(&AuthRequest) -> Result<(), String> + Send + Sync>;

/// The default hook: everyone is let in.
pub(crate) fn allow_all() -> AuthHook {
    Arc::new(|_request| Ok(()))
}
