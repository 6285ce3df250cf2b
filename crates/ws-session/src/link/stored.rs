//! [`Stored`]: how an outbox keeps a message until the peer acks it. A small payload is
//! copied in when it is queued and the application's buffer is freed at once, on the
//! thread that allocated it; only larger payloads stay shared.
//!
//! Why: an outbox holds each message until its ack, which the connection's reader applies,
//! often on another thread. Holding the application's buffer until then means one heap
//! free per message on the wrong thread, batched by acks (64 at a time), which defeats the
//! allocator's per-thread caches: a profile of `cargo xtask bench` showed a tenth of the
//! reliable path's CPU in those frees. A copied small payload holds no heap memory at all,
//! so acking it frees nothing.

use crate::protocol::Payload;
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};
use ws_batch::MessageSize;

/// Payloads up to this many bytes are copied in instead of shared: with its length and
/// kind, a [`Small`] is 120 bytes.
pub(crate) const INLINE_MAX: usize = 118;

/// A message as an outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A small payload, copied in.
    Small(Small),
    /// A larger payload, shared with the application.
    Shared(Payload),
}

/// A copy of a payload of at most [`INLINE_MAX`] bytes.
///
/// Laid out bytes first and 8-aligned (`repr(C, align(8))`): the copy is moved on (into a
/// sink's run, into an outbox entry) in aligned words, and `text`'s spare values are the
/// niche `Stored`'s variant lives in, so a `Stored` is 120 bytes and an outbox entry 152
/// (160 with Rust's own layout, which put the bytes at an odd offset;
/// `docs/learnings.md` § 46).
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C, align(8))]
pub struct Small {
    bytes: [u8; INLINE_MAX],
    len: u8,
    text: bool,
}

impl From<Payload> for Stored {
    #[inline]
    fn from(payload: Payload) -> Self {
        Small::copy(&payload).map_or(Stored::Shared(payload), Stored::Small)
    }
}

impl Stored {
    /// The payload's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Stored::Small(small) => small.bytes(),
            Stored::Shared(payload) => payload.as_bytes(),
        }
    }

    /// Whether the payload is text.
    pub fn is_text(&self) -> bool {
        match self {
            Stored::Small(small) => small.is_text(),
            Stored::Shared(payload) => matches!(payload, Payload::Text(_)),
        }
    }

    /// The payload again (a copy for a small one): for a message handed back or resent
    /// to a legacy peer.
    pub(crate) fn into_payload(self) -> Payload {
        match self {
            Stored::Small(small) => small.into_payload(),
            Stored::Shared(payload) => payload,
        }
    }

    /// The plain WebSocket message of the payload.
    pub fn into_message(self) -> Message {
        self.into_payload().into_message()
    }
}

/// What ws-batch keeps beside each message (its sequence number, state, times).
const ENTRY_COST: usize = 32;

impl MessageSize for Stored {
    /// The memory an outbox holds for the message, not only its payload: the entry (a
    /// small payload is copied into it) and a shared payload's bytes. So the outbox's byte
    /// cap and the server's byte budget bound memory even with tiny messages.
    #[inline]
    fn message_size(&self) -> usize {
        let inline = matches!(self, Stored::Small(_));
        let shared = if inline { 0 } else { self.as_bytes().len() };
        std::mem::size_of::<Stored>() + ENTRY_COST + shared
    }
}

impl Stored {
    /// The [`message_size`](MessageSize::message_size) `payload` will have once stored,
    /// without storing it (a budget checks a payload before it is copied in).
    #[inline]
    pub fn size_of_payload(payload: &Payload) -> usize {
        let shared = if payload.len() > INLINE_MAX { payload.len() } else { 0 };
        std::mem::size_of::<Stored>() + ENTRY_COST + shared
    }
}

impl Small {
    /// A copy of `payload`, if it is small enough.
    #[inline]
    pub(crate) fn copy(payload: &Payload) -> Option<Small> {
        let source = payload.as_bytes();
        let len = u8::try_from(source.len()).ok()?;
        let mut bytes = [0; INLINE_MAX];
        bytes.get_mut(..source.len())?.copy_from_slice(source);
        Some(Small { bytes, len, text: matches!(payload, Payload::Text(_)) })
    }

    /// The payload's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Whether the payload is text.
    pub(crate) fn is_text(&self) -> bool {
        self.text
    }

    /// The payload, in a new buffer. Text was valid UTF-8 when copied in, so the lossy
    /// conversion never changes it.
    fn into_payload(self) -> Payload {
        if self.text {
            return Payload::Text(Utf8Bytes::from(
                String::from_utf8_lossy(self.bytes()).into_owned(),
            ));
        }
        Payload::Binary(Bytes::copy_from_slice(self.bytes()))
    }
}

#[cfg(test)]
mod tests;
