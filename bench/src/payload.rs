//! The benchmark's messages: 64-byte binary payloads whose first 8 bytes are the message's
//! index for its client (little endian), and an end marker (index `u64::MAX`) after the
//! last one, so a client checks order and completeness of what it was pushed.

use crate::BenchError;
use ws_reliability::Message;

/// Bytes per message payload.
pub const PAYLOAD_BYTES: usize = 64;
/// The index of the end marker.
pub const END: u64 = u64::MAX;
/// The filler after the index.
const FILL: u8 = 0x5a;

/// The `index`-th message to a client.
pub fn data(index: u64) -> Message {
    let mut bytes = [FILL; PAYLOAD_BYTES];
    bytes[..8].copy_from_slice(&index.to_le_bytes());
    Message::binary(bytes.to_vec())
}

/// The marker a server sends after a client's last message.
pub fn end() -> Message {
    data(END)
}

/// What a received message was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// The message expected next.
    Next,
    /// The end marker.
    End,
}

/// Checks `message` against the index `expected` next.
pub fn check(message: &Message, expected: u64) -> Result<Received, BenchError> {
    match index(message)? {
        END => Ok(Received::End),
        got if got == expected => Ok(Received::Next),
        got => Err(BenchError::OutOfOrder { expected, got }),
    }
}

/// The index of a benchmark message (a 64-byte binary message), [`END`] for the marker.
pub fn index(message: &Message) -> Result<u64, BenchError> {
    let Message::Binary(bytes) = message else {
        return Err(BenchError::Malformed(format!("{message:?}")));
    };
    let head = <[u8; 8]>::try_from(bytes.get(..8).unwrap_or_default());
    let head = head.ok().filter(|_| bytes.len() == PAYLOAD_BYTES);
    head.map(u64::from_le_bytes).ok_or_else(|| BenchError::Malformed(format!("{message:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_index() {
        let message = data(41);
        assert_eq!(message.len(), PAYLOAD_BYTES);
        assert_eq!(check(&message, 41).unwrap(), Received::Next);
        assert_eq!(check(&end(), 3).unwrap(), Received::End);
    }

    #[test]
    fn a_gap_or_a_duplicate_is_an_error() {
        let error = check(&data(5), 4).unwrap_err();
        assert!(matches!(error, BenchError::OutOfOrder { expected: 4, got: 5 }));
        assert!(check(&data(3), 4).is_err());
    }

    #[test]
    fn anything_else_is_malformed() {
        assert!(matches!(check(&Message::text("hi"), 0), Err(BenchError::Malformed(_))));
        let short = Message::binary(vec![0; 8]);
        assert!(matches!(check(&short, 0), Err(BenchError::Malformed(_))));
        let tiny = Message::binary(vec![0; 3]);
        assert!(matches!(check(&tiny, 0), Err(BenchError::Malformed(_))));
    }
}
