//! An outbox value: the entries one commit appended to one session, kept under the
//! sequence number of the first, so a flush of N messages costs one insert, not N.
//!
//! Layout: `[VERSION] last_seq (kind payload)*`, each payload a `u64` length then the
//! bytes; the entries are numbered from the key's sequence number on, one by one (the
//! commit checked that). An ack trims the batches it covers whole; a batch it covers in
//! part stays until a later ack, and loads skip its acknowledged entries.

use super::codec::{Reader, Writer};
use crate::error::StoreError;
use crate::record::Entry;
use bytes::Bytes;

/// What a malformed outbox value is called in [`StoreError::Corrupt`].
const WHAT: &str = "outbox batch";

/// Encodes `entries` (non-empty, consecutive) as one value.
pub fn encode_batch(entries: &[Entry]) -> Vec<u8> {
    let mut writer = Writer::versioned();
    writer.u64(entries.last().map_or(0, |entry| entry.seq));
    for entry in entries {
        writer.kind(entry.kind);
        writer.blob(&entry.payload);
    }
    writer.bytes
}

/// The sequence number of a batch's last entry; `None` if the value is malformed.
pub fn last_seq(bytes: &[u8]) -> Option<u64> {
    let mut reader = Reader::versioned(bytes, WHAT).ok()?;
    reader.u64().ok()
}

/// Decodes the batch stored under `first` and adds its entries after `acked` to `outbox`.
pub fn decode_batch(
    first: u64,
    bytes: &[u8],
    acked: u64,
    outbox: &mut std::collections::VecDeque<Entry>,
) -> Result<(), StoreError> {
    let mut reader = Reader::versioned(bytes, WHAT)?;
    let last = reader.u64()?;
    for seq in first..=last {
        let entry = read_entry(&mut reader, seq)?;
        outbox.extend(Some(entry).filter(|entry| entry.seq > acked));
    }
    reader.finish()
}

fn read_entry(reader: &mut Reader<'_>, seq: u64) -> Result<Entry, StoreError> {
    let kind = reader.kind()?;
    let payload = Bytes::copy_from_slice(reader.blob()?);
    Ok(Entry { seq, kind, payload })
}
