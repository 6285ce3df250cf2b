//! Unit tests of the packer: runs of small messages become BATCH messages within the
//! limit, in order, and larger ones keep their place as DATA frames.

use super::*;
use crate::link::encode::encode_batch;
use crate::protocol::{decode, Batch, Frame, Payload};

fn small(byte: u8, len: usize) -> Stored {
    Stored::from(Payload::Binary(Bytes::from(vec![byte; len])))
}

/// Encodes `(seq, message)` pairs as one flusher batch; the messages that go on the wire.
fn packed(limit: usize, messages: &[(u64, Stored)]) -> Vec<Message> {
    let mut packer = Packer::new(limit);
    messages.iter().for_each(|(seq, stored)| packer.encode(*seq, stored));
    encode_batch(packer.finish())
}

fn frames(messages: &[Message]) -> Vec<Frame> {
    messages.iter().map(|message| decode(message.clone().into_data()).unwrap()).collect()
}

/// The (seq, payload length) of every DATA message, BATCH entries unrolled.
fn unrolled(messages: &[Message]) -> Vec<(u64, usize)> {
    let data = frames(messages).into_iter().flat_map(|frame| match frame {
        Frame::Batch(batch) => batch.into_data().collect::<Vec<_>>(),
        Frame::Data(data) => vec![data],
        other => panic!("unexpected {other:?}"),
    });
    data.map(|data| (data.seq, data.payload.len())).collect()
}

fn batch_of(message: &Message) -> Batch {
    match decode(message.clone().into_data()).unwrap() {
        Frame::Batch(batch) => batch,
        other => panic!("not a batch: {other:?}"),
    }
}

#[test]
fn a_run_of_small_messages_is_one_batch_message() {
    let run: Vec<(u64, Stored)> = (1..=64).map(|seq| (seq, small(seq as u8, 64))).collect();
    let messages = packed(BATCH_BYTES, &run);
    assert_eq!(messages.len(), 1);
    let batch = batch_of(&messages[0]);
    assert_eq!((batch.first, batch.payloads.len()), (1, 64));
    assert_eq!(batch.payloads[63], Payload::Binary(Bytes::from(vec![64; 64])));
}

#[test]
fn the_limit_splits_a_run_into_several_batches_in_order() {
    let run: Vec<(u64, Stored)> = (1..=10).map(|seq| (seq, small(1, 100))).collect();
    let limit = 2 + 3 * entry_len(100); // three entries per message
    let messages = packed(limit, &run);
    assert_eq!(messages.len(), 4);
    assert!(messages.iter().all(|message| message.len() <= limit));
    assert_eq!(unrolled(&messages), (1..=10).map(|seq| (seq, 100)).collect::<Vec<_>>());
}

#[test]
fn a_larger_message_keeps_its_place_as_data() {
    let large = Stored::from(Payload::Binary(Bytes::from(vec![9; 500])));
    let run = [(1, small(1, 8)), (2, small(2, 8)), (3, large), (4, small(4, 8))];
    let messages = packed(BATCH_BYTES, &run);
    assert_eq!(messages.len(), 3);
    assert!(matches!(frames(&messages)[1], Frame::Data(_)));
    assert_eq!(unrolled(&messages), [(1, 8), (2, 8), (3, 500), (4, 8)]);
}

#[test]
fn a_gap_in_sequence_numbers_starts_a_new_batch() {
    let messages = packed(BATCH_BYTES, &[(1, small(1, 8)), (5, small(5, 8))]);
    assert_eq!(messages.len(), 2);
    assert_eq!(batch_of(&messages[1]).first, 5);
}

#[test]
fn a_message_too_large_for_any_batch_goes_out_as_data() {
    let messages = packed(50, &[(1, small(1, 100))]);
    assert!(matches!(frames(&messages)[..], [Frame::Data(_)]));
}

#[test]
fn each_finish_starts_afresh() {
    let mut packer = Packer::new(BATCH_BYTES);
    assert!(packer.finish().is_empty());
    packer.encode(1, &small(1, 8));
    assert_eq!(packer.finish().len(), 1);
    packer.encode(2, &small(2, 8));
    let second = encode_batch(packer.finish());
    assert_eq!(batch_of(&second[0]).first, 2);
}
