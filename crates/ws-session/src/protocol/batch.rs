//! [`Batch`]: the BATCH frame (`0x08`, `docs/protocol.md` § 3.7), consecutive DATA
//! messages in one WebSocket message, sent only to a peer that announced it accepts them.
//!
//! Layout: type `08`, the first entry's sequence number (varint), then one or more entries,
//! each `kind` (`04` text, `05` binary, the DATA type bytes), payload length (varint) and
//! payload. Entry `i` has sequence number `first + i`. Packing many small messages into one
//! WebSocket message saves both ends the per-message framing, masking and wake-ups.

use super::error::ProtocolError;
use super::frame::{Data, FrameType, Payload};
use super::reader::Reader;
use super::varint::{put_varint, varint_len};
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// Consecutive DATA messages carried in one BATCH frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The sequence number of the first payload (≥ 1); the others follow one by one.
    pub first: u64,
    /// The payloads, at least one, in sequence order.
    pub payloads: Vec<Payload>,
}

impl Batch {
    /// The batch as DATA messages, in order. A decoded batch's numbers fit in 64 bits
    /// ([`ProtocolError::VarintOverflow`] otherwise); one built by hand past `u64::MAX`
    /// repeats `u64::MAX` rather than panicking.
    pub fn into_data(self) -> impl Iterator<Item = Data> {
        let first = self.first;
        let numbered = self.payloads.into_iter().zip(0_u64..);
        numbered.map(move |(payload, index)| Data { seq: first.saturating_add(index), payload })
    }
}

/// Starts a BATCH frame in `out` whose first entry will be `first`.
pub fn start_batch(out: &mut Vec<u8>, first: u64) {
    out.push(FrameType::Batch as u8);
    put_varint(out, first);
}

/// Appends one entry (a text or binary payload) to the BATCH frame being written in `out`.
pub fn put_entry(out: &mut Vec<u8>, text: bool, payload: &[u8]) {
    let kind = if text { FrameType::DataText } else { FrameType::DataBinary };
    out.push(kind as u8);
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

/// The bytes an entry of `len` payload bytes takes in a BATCH frame.
pub fn entry_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

/// The bytes a BATCH frame starting at `first` takes before its entries.
pub fn batch_header_len(first: u64) -> usize {
    1 + varint_len(first)
}

/// Appends the encoding of `batch` to `out`.
pub(crate) fn put_batch(out: &mut Vec<u8>, batch: &Batch) {
    start_batch(out, batch.first);
    for payload in &batch.payloads {
        put_entry(out, matches!(payload, Payload::Text(_)), payload.as_bytes());
    }
}

/// Reads the body of a BATCH frame (its type byte consumed): payloads are slices of the
/// message, not copies.
pub(crate) fn read_batch(mut reader: Reader) -> Result<super::Frame, ProtocolError> {
    let first = super::codec::read_seq(&mut reader)?;
    let mut payloads = Vec::new();
    while !reader.is_at_end() {
        within_entries(payloads.len(), reader.max_entries)?;
        payloads.push(read_entry(&mut reader)?);
    }
    checked(Batch { first, payloads }).map(super::Frame::Batch)
}

/// Room for one more entry after `read` of them: a BATCH never holds more entries than the
/// receive window, so decoding stops there instead of building a vector of them all.
fn within_entries(read: usize, max: u64) -> Result<(), ProtocolError> {
    if read as u64 >= max {
        return Err(ProtocolError::TooManyEntries { limit: max });
    }
    Ok(())
}

/// A batch with at least one entry whose last sequence number fits in 64 bits.
fn checked(batch: Batch) -> Result<Batch, ProtocolError> {
    let count = batch.payloads.len() as u64;
    match (count, batch.first.checked_add(count.saturating_sub(1))) {
        (0, _) => Err(ProtocolError::EmptyBatch),
        (_, None) => Err(ProtocolError::VarintOverflow),
        _ => Ok(batch),
    }
}

fn read_entry(reader: &mut Reader) -> Result<Payload, ProtocolError> {
    let kind = reader.byte()?;
    let len = usize::try_from(reader.varint()?).map_err(|_| ProtocolError::Truncated)?;
    let bytes = reader.take(len)?;
    match FrameType::from_byte(kind) {
        Some(FrameType::DataBinary) => Ok(Payload::Binary(bytes)),
        Some(FrameType::DataText) => text(bytes),
        _ => Err(ProtocolError::UnknownEntryKind(kind)),
    }
}

fn text(bytes: tokio_tungstenite::tungstenite::Bytes) -> Result<Payload, ProtocolError> {
    Utf8Bytes::try_from(bytes).map(Payload::Text).map_err(|_| ProtocolError::InvalidUtf8)
}

#[cfg(test)]
mod tests;
