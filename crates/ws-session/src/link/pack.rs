//! [`Packer`]: the flusher's batch encoder for a peer that accepts BATCH frames
//! (`docs/protocol.md` § 3.7). Runs of consecutive small messages are written, under the
//! outbox's lock, straight from the outbox into BATCH messages of at most a byte limit;
//! a larger message goes out as its own DATA frame, in its place.
//!
//! One WebSocket message per run instead of one per message is where the reliable path
//! wins back the framing, parsing, locking and wake-ups of every message; writing the run
//! straight from the outbox (a ws-batch [`Encoder`]) saves an intermediate copy of every
//! small payload.

use super::encode::Outbound;
use super::stored::{Small, Stored};
use crate::protocol::{batch_header_len, entry_len, put_entry, start_batch};
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_batch::Encoder;

/// A BATCH message holds at most this many bytes (further capped by the peer's
/// `max_payload`): large enough to carry a flusher's whole batch of small messages (256
/// entries of up to 118 bytes, 31 KiB at most), so a flush is one WebSocket message and one
/// `send`. At 16 KiB a batch of 64-byte messages took a full message and a small one: two
/// `send` calls and two reads at the peer for every 256 messages.
pub(crate) const BATCH_BYTES: usize = 32 * 1024;

/// The first BATCH buffer's capacity; later ones take the size of the previous message.
const FIRST_CAPACITY: usize = 4 * 1024;

/// Encodes a flusher's batch into BATCH messages (and DATA frames for larger messages).
#[derive(Debug)]
pub(crate) struct Packer {
    limit: usize,
    /// The size of the last BATCH message: the next buffer's capacity.
    last_len: usize,
    open: Option<Open>,
    items: Vec<Outbound>,
}

/// A BATCH message being filled, and the sequence number its next entry must have.
#[derive(Debug)]
struct Open {
    buffer: Vec<u8>,
    next: u64,
}

impl Packer {
    /// A packer of BATCH messages of at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Packer { limit, last_len: FIRST_CAPACITY, open: None, items: Vec::new() }
    }

    /// Whether an entry of `len` bytes fits in a BATCH message of its own (a tiny
    /// `max_payload` may not leave room for the entry's framing).
    fn packable(&self, seq: u64, len: usize) -> bool {
        batch_header_len(seq) + entry_len(len) <= self.limit
    }

    fn add(&mut self, seq: u64, small: &Small) {
        if !self.fits(seq, small.bytes().len()) {
            self.close();
            self.open = Some(Open::new(seq, self.last_len.min(self.limit)));
        }
        if let Some(open) = &mut self.open {
            open.append(small);
        }
    }

    /// Whether entry `seq` of `len` bytes continues the open BATCH message within the limit.
    fn fits(&self, seq: u64, len: usize) -> bool {
        let room = |open: &Open| open.buffer.len() + entry_len(len) <= self.limit;
        self.open.as_ref().is_some_and(|open| open.next == seq && room(open))
    }

    /// A message that is not packed: it ends the open BATCH message and goes out alone.
    fn alone(&mut self, seq: u64, stored: &Stored) {
        self.close();
        self.items.push(super::data_frame(seq, stored));
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            self.last_len = open.buffer.len();
            self.items.push(Outbound::Ready(Message::Binary(Bytes::from(open.buffer))));
        }
    }
}

impl Encoder<Stored> for Packer {
    type Item = Outbound;

    fn encode(&mut self, seq: u64, stored: &Stored) {
        match stored {
            Stored::Small(small) if self.packable(seq, small.bytes().len()) => self.add(seq, small),
            other => self.alone(seq, other),
        }
    }

    fn finish(&mut self) -> Vec<Outbound> {
        self.close();
        std::mem::take(&mut self.items)
    }
}

impl Open {
    fn new(first: u64, capacity: usize) -> Self {
        let mut buffer = Vec::with_capacity(capacity.max(batch_header_len(first)));
        start_batch(&mut buffer, first);
        Open { buffer, next: first }
    }

    fn append(&mut self, small: &Small) {
        put_entry(&mut self.buffer, small.is_text(), small.bytes());
        self.next += 1;
    }
}

#[cfg(test)]
mod tests;
