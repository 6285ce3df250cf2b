//! [`ProtocolError`]: everything that can go wrong reading or sequencing wsr.v1 frames.

use super::close::CloseCode;

/// A wsr.v1 frame could not be decoded, or arrived out of sequence.
///
/// Decoding never panics: every malformed input maps to one of these variants, and
/// [`ProtocolError::close_code`] names the WebSocket close code the receiver answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The binary message was empty: there is no frame type byte.
    #[error("empty message: no frame type byte")]
    Empty,
    /// The first byte names no frame type of wsr.v1.
    #[error("unknown frame type 0x{0:02x}")]
    UnknownFrameType(u8),
    /// The message ended in the middle of a field.
    #[error("truncated frame: a field runs past the end of the message")]
    Truncated,
    /// A fixed-size frame carried bytes after its last field.
    #[error("{extra} trailing bytes after the last field")]
    TrailingBytes {
        /// How many bytes were left over.
        extra: usize,
    },
    /// A varint ran over 10 bytes or over 64 bits.
    #[error("varint overflows 64 bits")]
    VarintOverflow,
    /// A varint used more bytes than needed (a zero final byte).
    #[error("varint is not minimally encoded")]
    VarintNotMinimal,
    /// A text payload or an error reason was not valid UTF-8.
    #[error("text is not valid utf-8")]
    InvalidUtf8,
    /// A DATA frame carried sequence number 0 (sequence numbers start at 1).
    #[error("sequence number 0 in a data frame")]
    ZeroSequence,
    /// A HELLO's mode byte set bits wsr.v1 does not define (bit 0: resume, bit 1: accepts
    /// BATCH).
    #[error("unknown hello mode {0}")]
    UnknownHelloMode(u8),
    /// A BATCH frame carried no entry.
    #[error("batch frame without an entry")]
    EmptyBatch,
    /// A BATCH frame carried more entries than the receive window (`max_unacked`) holds:
    /// they cannot all be in flight, so decoding stopped (close 4001).
    #[error("batch frame with more than {limit} entries")]
    TooManyEntries {
        /// The receiver's `max_unacked`.
        limit: u64,
    },
    /// A BATCH entry's kind byte was neither text (0x04) nor binary (0x05).
    #[error("unknown batch entry kind 0x{0:02x}")]
    UnknownEntryKind(u8),
    /// A WELCOME's flags byte set bits wsr.v1 does not define.
    #[error("unknown welcome flags 0x{0:02x}")]
    UnknownFlags(u8),
    /// A text WebSocket message arrived on a wsr.v1 connection (frames are binary).
    #[error("text websocket message on a wsr.v1 connection")]
    TextMessage,
    /// A message exceeded the negotiated maximum.
    #[error("message of {size} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Size of the rejected message in bytes.
        size: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// A DATA frame skipped sequence numbers: messages were lost on the way.
    #[error("sequence gap: expected {expected}, received {received}")]
    Gap {
        /// The sequence number the receiver expected (last delivered + 1).
        expected: u64,
        /// The sequence number that arrived.
        received: u64,
    },
    /// A resume was refused; send SESSION_LOST with this reason, then close with 4000.
    #[error("session lost: {0}")]
    SessionLost(super::frame::SessionLostReason),
    /// The operating system's random source failed while making a token or session id.
    #[error("os random source unavailable: {0}")]
    RandomUnavailable(getrandom::Error),
}

impl ProtocolError {
    /// The WebSocket close code a receiver sends after this error.
    pub fn close_code(&self) -> CloseCode {
        match self {
            Self::TooLarge { .. } => CloseCode::TooBig,
            Self::TooManyEntries { .. } => CloseCode::UnackedLimit,
            Self::RandomUnavailable(_) => CloseCode::Internal,
            Self::SessionLost(_) => CloseCode::SessionLost,
            _ => CloseCode::ProtocolError,
        }
    }

    /// A short, low-cardinality label for metrics (`kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ZeroSequence | Self::Gap { .. } => "sequence",
            Self::TooLarge { .. } => "too_large",
            Self::TooManyEntries { .. } => "window",
            Self::RandomUnavailable(_) => "random",
            Self::SessionLost(_) => "session_lost",
            malformed => malformed.malformed_kind(),
        }
    }

    /// The label of an error in the shape of a frame.
    fn malformed_kind(&self) -> &'static str {
        match self {
            Self::Empty | Self::Truncated | Self::TrailingBytes { .. } | Self::EmptyBatch => {
                "length"
            }
            Self::VarintOverflow | Self::VarintNotMinimal => "varint",
            Self::InvalidUtf8 | Self::TextMessage => "text",
            _ => "type",
        }
    }
}
