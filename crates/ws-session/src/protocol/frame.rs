//! [`Frame`] and its parts: the messages of wsr.v1, independent of their byte encoding.

use super::limits::Limits;
use super::token::{ResumeToken, SessionId};
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

/// The frame type byte that opens every wsr.v1 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FrameType {
    /// 0x01, client → server: open a fresh session or resume one.
    Hello = 0x01,
    /// 0x02, server → client: the session is open.
    Welcome = 0x02,
    /// 0x03, server → client: the resume was refused; the session is gone.
    SessionLost = 0x03,
    /// 0x04, both ways: a sequenced text payload.
    DataText = 0x04,
    /// 0x05, both ways: a sequenced binary payload.
    DataBinary = 0x05,
    /// 0x06, both ways: cumulative acknowledgement.
    Ack = 0x06,
    /// 0x07, both ways: why the sender is about to close.
    Error = 0x07,
    /// 0x08, both ways, to a peer that accepts it: consecutive DATA messages in one.
    Batch = 0x08,
}

impl FrameType {
    /// The frame type of a type byte, or `None` for an unknown byte.
    pub fn from_byte(byte: u8) -> Option<Self> {
        ALL_FRAME_TYPES.into_iter().find(|kind| *kind as u8 == byte)
    }
}

/// Every frame type of wsr.v1.
const ALL_FRAME_TYPES: [FrameType; 8] = [
    FrameType::Hello,
    FrameType::Welcome,
    FrameType::SessionLost,
    FrameType::DataText,
    FrameType::DataBinary,
    FrameType::Ack,
    FrameType::Error,
    FrameType::Batch,
];

/// One wsr.v1 frame: the content of one binary WebSocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Client → server, the first frame on a connection.
    Hello(Hello),
    /// Server → client, the answer to an accepted HELLO.
    Welcome(Welcome),
    /// Server → client, the answer to a resume that cannot be honoured.
    SessionLost(SessionLostReason),
    /// A sequenced application message.
    Data(Data),
    /// Cumulative ack: every DATA with a sequence number ≤ this one was received.
    Ack(u64),
    /// The reason the sender is about to close, sent just before the close frame.
    Error(ErrorNotice),
    /// Consecutive sequenced application messages in one frame.
    Batch(super::batch::Batch),
}

/// The client's opening frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hello {
    /// `Some` to resume an existing session, `None` for a fresh one.
    pub resume: Option<Resume>,
    /// Opaque credentials for the server's authentication hook (may be empty).
    pub auth: Bytes,
    /// Whether the client accepts BATCH frames (mode bit 1).
    pub batch: bool,
}

/// What a client presents to resume its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The session to resume, from the last WELCOME.
    pub session: SessionId,
    /// The resume token from the last WELCOME (single use).
    pub token: ResumeToken,
    /// The highest sequence number the client delivered from the server (0 for none).
    pub last_received: u64,
}

/// The server's answer to an accepted HELLO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// Whether an existing session was resumed (`false`: a fresh session).
    pub resumed: bool,
    /// The session id (unchanged on resume).
    pub session: SessionId,
    /// The token for the next resume; the previous one is now void.
    pub token: ResumeToken,
    /// The highest sequence number the server received from the client (0 for none):
    /// the client resends its DATA after it.
    pub last_received: u64,
    /// The session's limits.
    pub limits: Limits,
    /// Whether the server accepts BATCH frames (flags bit 1).
    pub batch: bool,
}

/// Why a resume was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionLostReason {
    /// 1: no session with this id exists (never did, or the server restarted).
    UnknownSession,
    /// 2: the session's resume window passed.
    Expired,
    /// 3: the token does not match the session's (forged).
    TokenMismatch,
    /// 4: the token was already used for a resume (replayed).
    TokenReplayed,
    /// 5: the server cannot resend from `last_received` (history gone, or it is ahead of
    /// what the server sent).
    Unrecoverable,
    /// Any other code, from a newer peer: treat as session lost.
    Other(u8),
}

/// One sequenced application message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// The sequence number, from 1 upward, per direction and per session.
    pub seq: u64,
    /// The application payload.
    pub payload: Payload,
}

/// An application payload and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// UTF-8 text (a browser receives a string).
    Text(Utf8Bytes),
    /// Bytes (a browser receives a Blob or ArrayBuffer).
    Binary(Bytes),
}

/// The reason an endpoint is closing, sent as a frame before the close itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorNotice {
    /// The close code that follows (see [`CloseCode`](super::CloseCode)).
    pub code: u16,
    /// A human-readable reason.
    pub reason: Utf8Bytes,
}

/// The reasons wsr.v1 defines, in code order.
const KNOWN_REASONS: [SessionLostReason; 5] = [
    SessionLostReason::UnknownSession,
    SessionLostReason::Expired,
    SessionLostReason::TokenMismatch,
    SessionLostReason::TokenReplayed,
    SessionLostReason::Unrecoverable,
];

impl SessionLostReason {
    /// The reason's code byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            Self::UnknownSession => 1,
            Self::Expired => 2,
            Self::TokenMismatch => 3,
            Self::TokenReplayed => 4,
            Self::Unrecoverable => 5,
            Self::Other(code) => code,
        }
    }

    /// The reason for a code byte; unknown codes become [`SessionLostReason::Other`].
    pub fn from_code(code: u8) -> Self {
        KNOWN_REASONS.into_iter().find(|reason| reason.code() == code).unwrap_or(Self::Other(code))
    }
}

impl std::fmt::Display for SessionLostReason {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownSession => out.write_str("unknown session"),
            Self::Expired => out.write_str("expired"),
            Self::TokenMismatch => out.write_str("token mismatch"),
            Self::TokenReplayed => out.write_str("token replayed"),
            Self::Unrecoverable => out.write_str("unrecoverable"),
            Self::Other(code) => write!(out, "reason {code}"),
        }
    }
}

impl Payload {
    /// The payload's length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Binary(bytes) => bytes,
        }
    }

    /// The plain WebSocket message a legacy client receives for this payload.
    pub fn into_message(self) -> Message {
        match self {
            Self::Text(text) => Message::Text(text),
            Self::Binary(bytes) => Message::Binary(bytes),
        }
    }

    /// The payload of a plain text or binary message (legacy mode); `None` for control
    /// messages.
    pub fn from_message(message: Message) -> Option<Self> {
        match message {
            Message::Text(text) => Some(Self::Text(text)),
            Message::Binary(bytes) => Some(Self::Binary(bytes)),
            _ => None,
        }
    }
}
