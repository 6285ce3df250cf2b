//! The outbox stream holds one entry per committed batch, not one per message: entry id
//! `<first seq>-0`, fields `n` (how many messages) and `b` (the messages, each a kind byte
//! `t` or `b`, its payload's length as 8 bytes little-endian, and the payload). One
//! `XADD` per session per commit is what makes a Redis commit cost per batch rather than
//! per message.

use super::reply::{corrupt, decimal, kind_code, kind_of, RawEntry};
use crate::error::StoreError;
use crate::record::Entry;
use bytes::{Buf, Bytes};
use redis::ScriptInvocation;

/// Bytes before each payload: the kind and the length.
const HEADER: usize = 9;

/// Where a batch's own sequence numbers stop following each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Broken {
    /// The position in the batch.
    pub index: u64,
    /// The sequence number found there.
    pub got: u64,
}

/// `commit.lua`'s arguments for the appended entries: count, first sequence number, where
/// the batch breaks (`''` twice if it does not), the encoded messages.
pub fn write(invocation: &mut ScriptInvocation<'_>, entries: &[Entry]) {
    let first = entries.first().map_or(0, |entry| entry.seq);
    invocation.arg(entries.len()).arg(first);
    match broken(entries) {
        Some(broken) => invocation.arg(broken.index).arg(broken.got),
        None => invocation.arg("").arg(""),
    };
    invocation.arg(encode(entries));
}

/// The first entry whose sequence number does not follow the first one's.
pub fn broken(entries: &[Entry]) -> Option<Broken> {
    let first = entries.first()?.seq;
    let mut positions = entries.iter().zip(0_u64..);
    let (entry, index) =
        positions.find(|(entry, index)| entry.seq != first.wrapping_add(*index))?;
    Some(Broken { index, got: entry.seq })
}

/// The messages of `entries`, back to back.
pub fn encode(entries: &[Entry]) -> Vec<u8> {
    let size = entries.iter().map(|entry| HEADER + entry.payload.len()).sum();
    let mut encoded = Vec::with_capacity(size);
    for entry in entries {
        encoded.extend_from_slice(kind_code(entry.kind).as_bytes());
        encoded.extend_from_slice(&(entry.payload.len() as u64).to_le_bytes());
        encoded.extend_from_slice(&entry.payload);
    }
    encoded
}

/// The entries of one outbox stream entry.
pub fn decode(raw: &RawEntry<'_>) -> Result<Vec<Entry>, StoreError> {
    let count = decimal(raw.head)?;
    let mut messages = Bytes::copy_from_slice(raw.body);
    let seqs = raw.id..raw.id.saturating_add(count);
    let entries = seqs.map(|seq| message(&mut messages, seq)).collect::<Result<Vec<_>, _>>()?;
    messages.is_empty().then_some(entries).ok_or_else(|| corrupt("outbox batch"))
}

/// The next message of `messages`, as the entry `seq`.
fn message(messages: &mut Bytes, seq: u64) -> Result<Entry, StoreError> {
    let header = messages.get(..HEADER).ok_or_else(|| corrupt("outbox batch"))?;
    let kind = kind_of(&header[..1])?;
    messages.advance(1);
    let length = usize::try_from(messages.get_u64_le()).map_err(|_| corrupt("outbox batch"))?;
    if messages.len() < length {
        return Err(corrupt("outbox batch"));
    }
    Ok(Entry { seq, kind, payload: messages.split_to(length) })
}

/// The outbox after `acked`: the entries of `XRANGE`'s answer (which starts with the
/// batch holding `acked + 1`) without those acknowledged already.
pub fn outbox(
    raws: &[RawEntry<'_>],
    acked: u64,
) -> Result<std::collections::VecDeque<Entry>, StoreError> {
    let mut outbox = std::collections::VecDeque::new();
    for raw in raws {
        outbox.extend(decode(raw)?.into_iter().filter(|entry| entry.seq > acked));
    }
    Ok(outbox)
}
