//! [`Encoder`]: how a flush turns a batch's messages into the items fed to the transport.
//!
//! The per-message form ([`Outbox::flush_with`](crate::Outbox::flush_with), a closure
//! from `(seq, &message)` to one item) fits a transport that takes one frame per message.
//! An `Encoder` sees the whole batch first and then hands over its items, so a protocol
//! that packs many messages into one frame builds that frame directly from the queued
//! messages, without an intermediate item per message.

/// Encodes a batch: [`encode`](Self::encode) for each of its messages, in sequence order,
/// under the outbox's lock, then [`finish`](Self::finish) once, outside it.
pub trait Encoder<M> {
    /// What the transport is fed.
    type Item;

    /// Encodes message `seq`. Runs under the outbox's lock: keep it cheap, and never call
    /// the outbox from it.
    fn encode(&mut self, seq: u64, message: &M);

    /// At most `count` messages follow (before `finish`): room to reserve. Optional.
    fn reserve(&mut self, count: usize) {
        let _hint_only = count;
    }

    /// The items for every message encoded since the last call, in order (called once per
    /// batch, after the lock is released).
    fn finish(&mut self) -> Vec<Self::Item>;
}

/// The per-message form as an [`Encoder`]: one item per message, from a closure.
#[derive(Debug)]
pub struct PerMessage<F, I> {
    encode: F,
    items: Vec<I>,
}

impl<F, I> PerMessage<F, I> {
    /// An encoder that makes one item of each message with `encode(seq, &message)`.
    pub fn new(encode: F) -> Self {
        PerMessage { encode, items: Vec::new() }
    }
}

impl<M, I, F> Encoder<M> for PerMessage<F, I>
where
    F: FnMut(u64, &M) -> I,
{
    type Item = I;

    fn encode(&mut self, seq: u64, message: &M) {
        self.items.push((self.encode)(seq, message));
    }

    fn reserve(&mut self, count: usize) {
        self.items.reserve_exact(count);
    }

    fn finish(&mut self) -> Vec<I> {
        std::mem::take(&mut self.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_message_makes_one_item_each_and_starts_afresh_after_finish() {
        let mut encoder = PerMessage::new(|seq, text: &&str| format!("{seq}:{text}"));
        encoder.encode(1, &"a");
        encoder.encode(2, &"b");
        assert_eq!(encoder.finish(), ["1:a", "2:b"]);
        assert!(Encoder::<&str>::finish(&mut encoder).is_empty());
        encoder.encode(3, &"c");
        assert_eq!(encoder.finish(), ["3:c"]);
    }
}
