//! One process clock for every timestamp, and the stamped messages: the 64-byte benchmark
//! payload ([`crate::payload`]) with the send time in bytes 8 to 16 and, in a latency run,
//! the time the schedule owed it in bytes 16 to 24.

use crate::payload::{self, PAYLOAD_BYTES};
use crate::BenchError;
use std::sync::OnceLock;
use std::time::Instant;
use ws_reliability::Message;

/// The instant every timestamp counts from, fixed at its first use.
static ANCHOR: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the process's anchor.
pub fn now_nanos() -> u64 {
    nanos_at(Instant::now())
}

/// Nanoseconds from the process's anchor to `instant` (0 for an instant before it).
pub fn nanos_at(instant: Instant) -> u64 {
    let anchor = ANCHOR.get_or_init(Instant::now);
    let since = instant.saturating_duration_since(*anchor);
    u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
}

/// A latency run's two times of a message, nanoseconds on the process clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamps {
    /// When its sender handed it to the sink.
    pub sent: u64,
    /// When the open-loop schedule owed it.
    pub due: u64,
}

/// The `index`-th message to a client, with both its times.
pub fn stamped_twice(index: u64, stamps: Stamps) -> Message {
    let mut bytes = payload_bytes(index, stamps.sent);
    bytes[16..24].copy_from_slice(&stamps.due.to_le_bytes());
    Message::binary(bytes.to_vec())
}

/// Both times of a message made by [`stamped_twice`].
pub fn stamps(message: &Message) -> Result<Stamps, BenchError> {
    let due = word(message, 16).ok_or_else(|| BenchError::Malformed(format!("{message:?}")))?;
    Ok(Stamps { sent: stamp(message)?, due })
}

/// The `index`-th message to a client, sent at `nanos` (see [`now_nanos`]).
pub fn stamped(index: u64, nanos: u64) -> Message {
    Message::binary(payload_bytes(index, nanos).to_vec())
}

/// The payload's bytes: the index, the send time, the filler.
fn payload_bytes(index: u64, nanos: u64) -> [u8; PAYLOAD_BYTES] {
    let mut bytes = [0x5a; PAYLOAD_BYTES];
    bytes[..8].copy_from_slice(&index.to_le_bytes());
    bytes[8..16].copy_from_slice(&nanos.to_le_bytes());
    bytes
}

/// When a message made by [`stamped`] was sent.
pub fn stamp(message: &Message) -> Result<u64, BenchError> {
    word(message, 8).ok_or_else(|| BenchError::Malformed(format!("{message:?}")))
}

/// The little-endian `u64` at byte `at` of a binary message.
fn word(message: &Message, at: usize) -> Option<u64> {
    let bytes = match message {
        Message::Binary(bytes) => bytes.get(at..at + 8),
        _ => None,
    };
    bytes.and_then(|word| <[u8; 8]>::try_from(word).ok()).map(u64::from_le_bytes)
}

/// The end marker, as [`payload::end`].
pub fn end() -> Message {
    payload::end()
}
