//! [`Outbound`]: what the flusher feeds a writer, and [`encode_batch`]: a batch's DATA
//! frames are encoded into one buffer and each message is a slice of it (one allocation per
//! batch instead of one per message), outside the outbox's lock. A small payload (kept
//! copied in the outbox, see [`Small`]) is copied under the lock into an [`Inline`] instead
//! of shared: a 64-byte copy costs less than an atomic clone and drop across threads.

use super::stored::Small;
use crate::protocol::{data_overhead, encode_into, Data, Frame, Payload};
use std::ops::Range;
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

/// One item the flusher feeds a writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outbound {
    /// A wsr.v1 DATA frame, encoded when its batch is handed over.
    Data(Data),
    /// A wsr.v1 DATA frame with a small payload copied in, encoded likewise.
    Inline(Inline),
    /// A message as it goes on the wire (a legacy peer's plain message).
    Ready(Message),
}

/// A DATA frame's sequence number and a copy of its small payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Inline {
    seq: u64,
    small: Small,
}

impl Inline {
    /// The DATA frame `seq` of a small payload.
    pub(crate) fn new(seq: u64, small: &Small) -> Inline {
        Inline { seq, small: small.clone() }
    }

    /// A copy of `payload` for frame `seq`, if it is small enough.
    #[cfg(test)]
    pub(crate) fn copy(seq: u64, payload: &Payload) -> Option<Inline> {
        Small::copy(payload).map(|small| Inline { seq, small })
    }

    /// The payload's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.small.bytes().len()
    }

    /// Whether the payload is text.
    pub(crate) fn is_text(&self) -> bool {
        self.small.is_text()
    }

    /// The payload's bytes.
    pub(crate) fn payload(&self) -> &[u8] {
        self.small.bytes()
    }

    /// The frame's header (type and sequence number, what an empty payload encodes to),
    /// then the payload: the bytes `encode_into` gives the frame.
    fn encode_into(&self, buffer: &mut Vec<u8>) {
        let empty = if self.is_text() {
            Payload::Text(Utf8Bytes::from_static(""))
        } else {
            Payload::Binary(Bytes::new())
        };
        encode_into(&Frame::Data(Data { seq: self.seq, payload: empty }), buffer);
        buffer.extend_from_slice(self.payload());
    }
}

/// Where an item ended up: a range of the shared buffer, or its own message.
enum Placed {
    Encoded(Range<usize>),
    Ready(Message),
}

impl Outbound {
    fn encoded_len(&self) -> usize {
        match self {
            Outbound::Data(data) => data_overhead(data.seq) + data.payload.len(),
            Outbound::Inline(inline) => data_overhead(inline.seq) + inline.len(),
            Outbound::Ready(_) => 0,
        }
    }

    fn place(self, buffer: &mut Vec<u8>) -> Placed {
        let start = buffer.len();
        match self {
            Outbound::Data(data) => encode_into(&Frame::Data(data), buffer),
            Outbound::Inline(inline) => inline.encode_into(buffer),
            Outbound::Ready(message) => return Placed::Ready(message),
        }
        Placed::Encoded(start..buffer.len())
    }
}

/// The batch as messages, in order: DATA frames as binary slices of one shared buffer.
pub(crate) fn encode_batch(batch: Vec<Outbound>) -> Vec<Message> {
    let mut buffer = Vec::with_capacity(batch.iter().map(Outbound::encoded_len).sum());
    let placed: Vec<Placed> = batch.into_iter().map(|item| item.place(&mut buffer)).collect();
    let shared = Bytes::from(buffer);
    placed.into_iter().map(|placed| placed.into_message(&shared)).collect()
}

impl Placed {
    fn into_message(self, shared: &Bytes) -> Message {
        match self {
            Placed::Encoded(range) => Message::Binary(shared.slice(range)),
            Placed::Ready(message) => message,
        }
    }
}

#[cfg(test)]
mod tests;
