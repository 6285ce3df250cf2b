//! [`CloseCode`]: the WebSocket close codes wsr.v1 uses, and how to build a close message.

use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::{coding, CloseFrame};
use tokio_tungstenite::tungstenite::Message;

/// A close code of wsr.v1; see `docs/protocol.md` for when each one is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseCode {
    /// 1000: normal closure, both sides done.
    Normal,
    /// 1001: the endpoint is going away (server shutdown, page navigation); resume later.
    GoingAway,
    /// 1002: malformed frame, unknown frame type, frame out of place, or a sequence gap.
    ProtocolError,
    /// 1008: policy violation, e.g. the authentication hook refused the HELLO.
    Policy,
    /// 1009: a message exceeded the maximum message size.
    TooBig,
    /// 1011: the server hit an internal error.
    Internal,
    /// 1013: try again later: the server is at its connection limit.
    TryAgainLater,
    /// 4000: the session is lost; a SESSION_LOST frame preceded this close.
    SessionLost,
    /// 4001: too many unacknowledged messages (slow consumer, or a sender past the window).
    UnackedLimit,
    /// 4002: no HELLO arrived within the handshake timeout.
    HelloTimeout,
    /// 4003: another connection resumed this session; this one is superseded.
    SessionReplaced,
    /// 4004: a protocol error, sent by clients that may not send 1002 (browsers).
    AppProtocolError,
    /// 4005: a message too big, sent by clients that may not send 1009 (browsers).
    AppTooBig,
}

/// Every close code with its numeric value, in one table.
const TABLE: [(CloseCode, u16); 13] = [
    (CloseCode::Normal, 1000),
    (CloseCode::GoingAway, 1001),
    (CloseCode::ProtocolError, 1002),
    (CloseCode::Policy, 1008),
    (CloseCode::TooBig, 1009),
    (CloseCode::Internal, 1011),
    (CloseCode::TryAgainLater, 1013),
    (CloseCode::SessionLost, 4000),
    (CloseCode::UnackedLimit, 4001),
    (CloseCode::HelloTimeout, 4002),
    (CloseCode::SessionReplaced, 4003),
    (CloseCode::AppProtocolError, 4004),
    (CloseCode::AppTooBig, 4005),
];

impl CloseCode {
    /// The numeric code sent in the WebSocket close frame.
    pub fn code(self) -> u16 {
        TABLE.iter().find(|(known, _)| *known == self).map_or(1011, |(_, value)| *value)
    }

    /// The wsr.v1 close code with this number, if it is one.
    pub fn from_code(value: u16) -> Option<Self> {
        TABLE.iter().find(|(_, known)| *known == value).map(|(code, _)| *code)
    }

    /// The code this one stands for: 4004 and 4005 mean 1002 and 1009.
    pub fn canonical(self) -> Self {
        match self {
            Self::AppProtocolError => Self::ProtocolError,
            Self::AppTooBig => Self::TooBig,
            other => other,
        }
    }

    /// A close frame with this code and a human-readable reason.
    pub fn frame(self, reason: &str) -> CloseFrame {
        CloseFrame { code: coding::CloseCode::from(self.code()), reason: reason.into() }
    }

    /// A `Message::Close` with this code and reason, ready to send.
    pub fn message(self, reason: &str) -> Message {
        Message::Close(Some(self.frame(reason)))
    }

    /// The close code to answer a tungstenite read error with, when the connection can
    /// still carry a close frame: 1009 for a message over the limit, 1002 for a broken
    /// WebSocket frame or invalid UTF-8 text; `None` for I/O errors and closed connections,
    /// a peer that dropped the connection without a close frame included (tungstenite
    /// reports it as a protocol error, but nothing was violated: the connection is lost).
    pub fn for_ws_error(error: &WsError) -> Option<Self> {
        match error {
            WsError::Capacity(_) => Some(Self::TooBig),
            WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => None,
            WsError::Protocol(_) | WsError::Utf8(_) => Some(Self::ProtocolError),
            _ => None,
        }
    }
}
