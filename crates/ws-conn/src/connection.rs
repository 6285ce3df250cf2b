//! The small trait a registered connection implements, and the close frame it sends.

use crate::TransportError;
use std::borrow::Cow;

/// A WebSocket close code (RFC 6455 section 7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CloseCode(u16);

impl CloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the server is going away (shutdown).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1008: a policy was violated.
    pub const POLICY: CloseCode = CloseCode(1008);
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1013: try again later (the connection limit or the accept rate was hit).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);

    /// Any code; the caller keeps to the codes RFC 6455 allows on the wire.
    pub const fn new(code: u16) -> Self {
        CloseCode(code)
    }

    /// The numeric code.
    pub const fn as_u16(self) -> u16 {
        self.0
    }
}

/// What a close sends: a code and a short reason (at most 123 bytes on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The close code.
    pub code: CloseCode,
    /// A human-readable reason; may be empty.
    pub reason: Cow<'static, str>,
}

impl CloseFrame {
    /// A close frame with `code` and `reason`.
    pub fn new(code: CloseCode, reason: impl Into<Cow<'static, str>>) -> Self {
        CloseFrame { code, reason: reason.into() }
    }

    /// 1000 with an empty reason.
    pub fn normal() -> Self {
        CloseFrame::new(CloseCode::NORMAL, "")
    }
}

/// One connection as the registry drives it.
///
/// [`WsConnection`](crate::tungstenite::WsConnection) implements it over tokio-tungstenite;
/// tests implement it with mocks whose close fails, hangs or succeeds. The registry bounds
/// every `close` and `ping` with a timeout, so an implementation may simply await the peer.
#[async_trait::async_trait]
pub trait Connection: Send + Sync + 'static {
    /// Sends a close frame and waits until the close handshake completes.
    async fn close(&self, frame: CloseFrame) -> Result<(), TransportError>;

    /// Sends a heartbeat ping; the pong shows up as activity on the read side.
    async fn ping(&self) -> Result<(), TransportError>;

    /// Releases the socket now, whether the peer answers or not: drops the stream and
    /// aborts the connection's tasks. Must not block and must be idempotent.
    fn force_close(&self);
}
