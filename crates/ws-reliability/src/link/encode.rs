//! [`Outbound`]: what the flusher feeds a writer, and [`encode_batch`]: a batch's DATA
//! frames are encoded into one buffer and each message is a slice of it (one allocation per
//! batch instead of one per message), outside the outbox's lock.

use crate::protocol::{data_overhead, encode_into, Data, Frame};
use std::ops::Range;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// One item the flusher feeds a writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outbound {
    /// A wsr.v1 DATA frame, encoded when its batch is handed over.
    Data(Data),
    /// A message as it goes on the wire (a legacy peer's plain message).
    Ready(Message),
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
            Outbound::Ready(_) => 0,
        }
    }

    fn place(self, buffer: &mut Vec<u8>) -> Placed {
        let start = buffer.len();
        match self {
            Outbound::Data(data) => encode_into(&Frame::Data(data), buffer),
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
