//! Unit tests of the batch encoder: the same bytes as one frame at a time, in order.

use super::*;
use crate::link::stored::INLINE_MAX;
use crate::protocol::{data_message, Payload};

fn data(seq: u64, text: &'static str) -> Data {
    Data { seq, payload: Payload::Binary(Bytes::from_static(text.as_bytes())) }
}

#[test]
fn a_batch_encodes_each_frame_as_data_message_does() {
    let frames = [data(1, "a"), data(300, ""), data(70_000, "a longer payload")];
    let expected: Vec<Message> =
        frames.iter().map(|frame| data_message(frame.seq, &frame.payload)).collect();
    let batch = frames.into_iter().map(Outbound::Data).collect();
    assert_eq!(encode_batch(batch), expected);
}

#[test]
fn ready_messages_keep_their_place_between_frames() {
    let batch = vec![
        Outbound::Data(data(1, "x")),
        Outbound::Ready(Message::text("plain")),
        Outbound::Data(data(2, "y")),
    ];
    let encoded = encode_batch(batch);
    assert_eq!(encoded[0], data_message(1, &data(1, "x").payload));
    assert_eq!(encoded[1], Message::text("plain"));
    assert_eq!(encoded[2], data_message(2, &data(2, "y").payload));
}

#[test]
fn an_empty_batch_is_empty() {
    assert!(encode_batch(Vec::new()).is_empty());
}

#[test]
fn inline_frames_encode_as_data_message_does() {
    let payloads = [
        Payload::Text("hi".into()),
        Payload::Binary(Bytes::from_static(b"")),
        Payload::Binary(Bytes::from(vec![7; INLINE_MAX])),
    ];
    let expected: Vec<Message> = payloads.iter().map(|p| data_message(300, p)).collect();
    let batch = payloads.iter().map(|p| Outbound::Inline(Inline::copy(300, p).unwrap()));
    assert_eq!(encode_batch(batch.collect()), expected);
}

#[test]
fn a_payload_past_the_inline_limit_is_not_copied() {
    assert!(Inline::copy(1, &Payload::Binary(Bytes::from(vec![0; INLINE_MAX + 1]))).is_none());
}
