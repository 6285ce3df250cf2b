//! [`pack_batch`]: a flusher's batch for a peer that accepts BATCH frames (`docs/protocol.md`
//! § 3.7). Runs of consecutive small DATA frames ([`Inline`]s) go out as BATCH messages of
//! at most a byte limit; everything else as [`encode_batch`] makes it, in the same order.
//! One WebSocket message per run instead of one per message is where the reliable path
//! wins back the framing, masking, locking and wake-ups of every message.

use super::encode::{encode_batch, Inline, Outbound};
use crate::protocol::{batch_header_len, entry_len, put_entry, start_batch};
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// A BATCH message holds at most this many bytes (further capped by the peer's
/// `max_payload`): large enough to carry a flusher's whole batch of small messages.
pub(crate) const BATCH_BYTES: usize = 16 * 1024;

/// The batch as messages, in order, small DATA frames packed into BATCH messages of at
/// most `limit` bytes.
pub(crate) fn pack_batch(batch: Vec<Outbound>, limit: usize) -> Vec<Message> {
    let remaining = batch.iter().map(Outbound::packed_len).sum();
    let mut packer = Packer { limit, remaining, open: None, messages: Vec::new() };
    batch.into_iter().for_each(|item| packer.push(item));
    packer.finish()
}

/// Packs items one by one; `open` is the BATCH message being filled.
struct Packer {
    limit: usize,
    /// Bytes the inline items not yet packed will take: the next buffer's size.
    remaining: usize,
    open: Option<Open>,
    messages: Vec<Message>,
}

/// A BATCH message being filled, and the sequence number its next entry must have.
struct Open {
    buffer: Vec<u8>,
    next: u64,
}

impl Packer {
    fn push(&mut self, item: Outbound) {
        match item {
            Outbound::Inline(inline) if self.packable(&inline) => self.add(&inline),
            other => self.alone(other),
        }
    }

    /// Whether `inline` fits in a BATCH message of its own (a tiny `max_payload` may not
    /// leave room for the entry's framing).
    fn packable(&self, inline: &Inline) -> bool {
        batch_header_len(inline.seq()) + entry_len(inline.len()) <= self.limit
    }

    fn add(&mut self, inline: &Inline) {
        if !self.fits(inline) {
            self.close();
            self.open = Some(Open::new(inline.seq(), self.remaining.min(self.limit)));
        }
        self.remaining = self.remaining.saturating_sub(entry_len(inline.len()));
        if let Some(open) = &mut self.open {
            open.append(inline);
        }
    }

    /// Whether `inline` continues the open BATCH message within the limit.
    fn fits(&self, inline: &Inline) -> bool {
        let room = |open: &Open| open.buffer.len() + entry_len(inline.len()) <= self.limit;
        self.open.as_ref().is_some_and(|open| open.next == inline.seq() && room(open))
    }

    /// An item that is not packed: it ends the open BATCH message and goes out alone.
    fn alone(&mut self, item: Outbound) {
        self.close();
        self.messages.extend(encode_batch(vec![item]));
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            self.messages.push(Message::Binary(Bytes::from(open.buffer)));
        }
    }

    fn finish(mut self) -> Vec<Message> {
        self.close();
        self.messages
    }
}

impl Open {
    fn new(first: u64, capacity: usize) -> Self {
        let mut buffer = Vec::with_capacity(capacity + batch_header_len(first));
        start_batch(&mut buffer, first);
        Open { buffer, next: first }
    }

    fn append(&mut self, inline: &Inline) {
        put_entry(&mut self.buffer, inline.is_text(), inline.payload());
        self.next += 1;
    }
}

#[cfg(test)]
mod tests;
