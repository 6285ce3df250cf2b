//! One process clock for every timestamp, and the stamped messages: the 64-byte benchmark
//! payload ([`crate::payload`]) with the send time in bytes 8 to 16.

use crate::payload::{self, PAYLOAD_BYTES};
use crate::BenchError;
use std::sync::OnceLock;
use std::time::Instant;
use ws_reliability::Message;

/// The instant every timestamp counts from, fixed at its first use.
static ANCHOR: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the process's anchor.
pub fn now_nanos() -> u64 {
    let anchor = ANCHOR.get_or_init(Instant::now);
    u64::try_from(anchor.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The `index`-th message to a client, sent at `nanos` (see [`now_nanos`]).
pub fn stamped(index: u64, nanos: u64) -> Message {
    let mut bytes = [0x5a; PAYLOAD_BYTES];
    bytes[..8].copy_from_slice(&index.to_le_bytes());
    bytes[8..16].copy_from_slice(&nanos.to_le_bytes());
    Message::binary(bytes.to_vec())
}

/// When a message made by [`stamped`] was sent.
pub fn stamp(message: &Message) -> Result<u64, BenchError> {
    let bytes = match message {
        Message::Binary(bytes) => bytes.get(8..16),
        _ => None,
    };
    let stamp = bytes.and_then(|head| <[u8; 8]>::try_from(head).ok());
    stamp.map(u64::from_le_bytes).ok_or_else(|| BenchError::Malformed(format!("{message:?}")))
}

/// The end marker, as [`payload::end`].
pub fn end() -> Message {
    payload::end()
}
