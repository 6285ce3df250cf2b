//! Unit tests of the packer: runs of small DATA frames become BATCH messages within the
//! limit, in order, and everything else keeps its place.

use super::*;
use crate::protocol::{decode, from_message, Batch, Data, Frame, Limits, Payload};

fn inline(seq: u64, byte: u8, len: usize) -> Outbound {
    let payload = Payload::Binary(Bytes::from(vec![byte; len]));
    Outbound::Inline(Inline::copy(seq, &payload).unwrap())
}

/// The DATA messages a list of messages carries, in order (BATCH entries unrolled).
fn unrolled(messages: &[Message]) -> Vec<Data> {
    let frames = messages.iter().map(|m| from_message(m, &Limits::default()).unwrap().unwrap());
    frames
        .flat_map(|frame| match frame {
            Frame::Batch(batch) => batch.into_data().collect::<Vec<_>>(),
            Frame::Data(data) => vec![data],
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn batch_of(message: &Message) -> Batch {
    match decode(message.clone().into_data()).unwrap() {
        Frame::Batch(batch) => batch,
        other => panic!("not a batch: {other:?}"),
    }
}

#[test]
fn a_run_of_small_frames_is_one_batch_message() {
    let items = (1..=64).map(|seq| inline(seq, seq as u8, 64)).collect();
    let messages = pack_batch(items, BATCH_BYTES);
    assert_eq!(messages.len(), 1);
    let batch = batch_of(&messages[0]);
    assert_eq!((batch.first, batch.payloads.len()), (1, 64));
    assert_eq!(batch.payloads[63], Payload::Binary(Bytes::from(vec![64; 64])));
}

#[test]
fn the_limit_splits_a_run_into_several_batches_in_order() {
    let items: Vec<Outbound> = (1..=10).map(|seq| inline(seq, 1, 100)).collect();
    let limit = 2 + 3 * entry_len(100); // three entries per message
    let messages = pack_batch(items, limit);
    assert_eq!(messages.len(), 4);
    assert!(messages.iter().all(|message| message.len() <= limit));
    let seqs: Vec<u64> = unrolled(&messages).iter().map(|data| data.seq).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

#[test]
fn large_frames_and_ready_messages_keep_their_place() {
    let large = Payload::Binary(Bytes::from(vec![9; 500]));
    let items = vec![
        inline(1, 1, 8),
        inline(2, 2, 8),
        Outbound::Data(Data { seq: 3, payload: large.clone() }),
        Outbound::Ready(Message::Pong(Bytes::new())),
        inline(4, 4, 8),
    ];
    let messages = pack_batch(items, BATCH_BYTES);
    assert_eq!(messages.len(), 4);
    assert_eq!(batch_of(&messages[0]).payloads.len(), 2);
    assert_eq!(messages[2], Message::Pong(Bytes::new()));
    let data = unrolled(&[messages[0].clone(), messages[1].clone(), messages[3].clone()]);
    assert_eq!(data.iter().map(|data| data.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(data[2].payload, large);
}

#[test]
fn a_gap_in_sequence_numbers_starts_a_new_batch() {
    let messages = pack_batch(vec![inline(1, 1, 8), inline(5, 5, 8)], BATCH_BYTES);
    assert_eq!(messages.len(), 2);
    assert_eq!(batch_of(&messages[1]).first, 5);
}

#[test]
fn a_frame_too_large_for_any_batch_goes_out_as_data() {
    let messages = pack_batch(vec![inline(1, 1, 100)], 50);
    assert_eq!(unrolled(&messages).len(), 1);
    assert!(matches!(decode(messages[0].clone().into_data()), Ok(Frame::Data(_))));
}

#[test]
fn nothing_packs_to_nothing() {
    assert!(pack_batch(Vec::new(), BATCH_BYTES).is_empty());
}
