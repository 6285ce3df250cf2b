//! Unit tests of the BATCH frame: its bytes, its round trip, and every malformed shape.

use super::*;
use crate::protocol::{decode, encode, Frame};
use tokio_tungstenite::tungstenite::Bytes;

fn batch(first: u64, payloads: Vec<Payload>) -> Frame {
    Frame::Batch(Batch { first, payloads })
}

fn binary(bytes: &'static [u8]) -> Payload {
    Payload::Binary(Bytes::from_static(bytes))
}

#[test]
fn the_bytes_are_type_first_seq_then_kind_length_payload_per_entry() {
    let frame = batch(300, vec![Payload::Text("hi".into()), binary(b""), binary(b"\x01\x02")]);
    let expected = [0x08, 0xac, 0x02, 0x04, 0x02, b'h', b'i', 0x05, 0x00, 0x05, 0x02, 1, 2];
    assert_eq!(&encode(&frame)[..], &expected);
    assert_eq!(decode(Bytes::copy_from_slice(&expected)).unwrap(), frame);
}

#[test]
fn entries_become_consecutive_data_messages() {
    let Frame::Batch(decoded) = batch(7, vec![binary(b"a"), binary(b"b")]) else { panic!() };
    let data: Vec<Data> = decoded.into_data().collect();
    assert_eq!(data.iter().map(|data| data.seq).collect::<Vec<_>>(), [7, 8]);
    assert_eq!(data[1].payload, binary(b"b"));
}

#[test]
fn the_header_and_entry_lengths_match_the_encoding() {
    let frame = batch(300, vec![binary(&[0; 200])]);
    assert_eq!(encode(&frame).len(), batch_header_len(300) + entry_len(200));
    assert_eq!((batch_header_len(1), entry_len(0), entry_len(128)), (2, 2, 131));
}

// [M3.9] malformed BATCH frames are protocol errors; [M3.6] first 0 too
#[test]
fn malformed_batches_are_typed_errors() {
    let cases: [(&[u8], ProtocolError); 7] = [
        (&[0x08, 0x01], ProtocolError::EmptyBatch),
        (&[0x08, 0x00, 0x05, 0x00], ProtocolError::ZeroSequence),
        (&[0x08, 0x01, 0x06, 0x00], ProtocolError::UnknownEntryKind(0x06)),
        (&[0x08, 0x01, 0x05, 0x03, 1, 2], ProtocolError::Truncated),
        (&[0x08, 0x01, 0x05], ProtocolError::Truncated),
        (&[0x08, 0x01, 0x04, 0x01, 0xff], ProtocolError::InvalidUtf8),
        (
            &[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 5, 0, 5, 0],
            ProtocolError::VarintOverflow,
        ),
    ];
    for (bytes, error) in cases {
        assert_eq!(decode(Bytes::copy_from_slice(bytes)), Err(error), "{bytes:02x?}");
    }
}

#[test]
fn the_last_possible_sequence_number_is_accepted() {
    let frame = batch(u64::MAX, vec![binary(b"z")]);
    assert_eq!(decode(encode(&frame)).unwrap(), frame);
}

#[test]
fn payloads_are_slices_of_the_message() {
    let bytes = encode(&batch(1, vec![binary(b"abc")]));
    let Ok(Frame::Batch(decoded)) = decode(bytes.clone()) else { panic!() };
    let Payload::Binary(payload) = &decoded.payloads[0] else { panic!() };
    assert_eq!(payload.as_ptr(), bytes[bytes.len() - 3..].as_ptr());
}

// found by `cargo fuzz run batch -a`: fuzz/regressions/batch/crash-bf1d344c…
#[test]
fn a_batch_ending_at_the_last_number_numbers_its_entry_without_overflow() {
    let bytes = [&[0x08][..], &[0xff; 9], &[0x01, 0x05, 0x00]].concat();
    let Ok(Frame::Batch(decoded)) = decode(Bytes::from(bytes)) else { panic!("not a batch") };
    let numbers: Vec<u64> = decoded.into_data().map(|data| data.seq).collect();
    assert_eq!(numbers, [u64::MAX]);
    let by_hand = Batch { first: u64::MAX, payloads: vec![binary(b""), binary(b"")] };
    let saturated: Vec<u64> = by_hand.into_data().map(|data| data.seq).collect();
    assert_eq!(saturated, [u64::MAX, u64::MAX], "a batch built past u64::MAX does not panic");
}

#[test]
fn a_batch_past_the_entry_limit_is_refused_without_decoding_the_rest() {
    let entries = vec![binary(b""); 5];
    let bytes = encode(&batch(1, entries));
    let refused = crate::protocol::codec::decode_bounded(bytes.clone(), 4).unwrap_err();
    assert!(matches!(refused, ProtocolError::TooManyEntries { limit: 4 }));
    assert_eq!(refused.close_code(), crate::protocol::CloseCode::UnackedLimit);
    assert!(crate::protocol::codec::decode_bounded(bytes, 5).is_ok(), "five fit in five");
}
