//! The attackers' frames: HELLO, ACK 0, BATCH frames of empty entries (docs/protocol.md
//! § 3.7), and malformed or random frames.

use ws_reliability::protocol::{encode, put_varint, Frame, Hello};
use ws_reliability::Message;

/// A fresh HELLO; `batch`: the client accepts BATCH frames.
pub fn hello(batch: bool) -> Message {
    let hello = Hello { resume: None, auth: Default::default(), batch };
    Message::binary(encode(&Frame::Hello(hello)))
}

/// `ACK 0`: the no-op a client that never reads sends to look alive.
pub fn ack_zero() -> Message {
    Message::binary(encode(&Frame::Ack(0)))
}

/// A BATCH of `entries` empty text entries numbered from `first`.
pub fn empty_batch(first: u64, entries: usize) -> Vec<u8> {
    let mut out = vec![0x08];
    put_varint(&mut out, first);
    out.extend(std::iter::repeat_n([0x04u8, 0x00], entries).flatten());
    out
}

/// Malformed frames a receiver must refuse: DATA seq 0, an unknown type, an ACK beyond
/// what was sent, a second HELLO, an empty BATCH, a truncated varint, an empty message.
pub const MALFORMED: [&[u8]; 7] = [
    &[0x04, 0x00, b'x'],
    &[0x09, 0x01],
    &[0x06, 0xff, 0x01],
    &[0x01, 0x00],
    &[0x08, 0x01],
    &[0x05, 0xff],
    &[],
];

/// The `n`th attack frame: one of [`MALFORMED`] in turn, or (every other one) 1 to 64 random
/// bytes.
pub fn hostile(n: u64) -> Message {
    let index = (n / 2) as usize % MALFORMED.len();
    let random: Vec<u8> = (0..fastrand::usize(1..=64)).map(|_| fastrand::u8(..)).collect();
    let bytes = if n % 2 == 0 { MALFORMED[index].to_vec() } else { random };
    Message::binary(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ws_reliability::protocol::decode;

    #[test]
    fn a_batch_of_empty_entries_decodes() {
        let bytes = empty_batch(300, 3);
        assert_eq!(bytes, [0x08, 0xac, 0x02, 4, 0, 4, 0, 4, 0]);
        let Ok(Frame::Batch(batch)) = decode(bytes.into()) else { panic!("not a batch") };
        assert_eq!(batch.payloads.len(), 3);
    }

    #[test]
    fn hello_and_ack_are_the_documented_bytes() {
        assert_eq!(hello(false).into_data().as_ref(), [0x01, 0x00]);
        assert_eq!(hello(true).into_data().as_ref(), [0x01, 0x02]);
        assert_eq!(ack_zero().into_data().as_ref(), [0x06, 0x00]);
    }

    #[test]
    fn every_malformed_frame_is_refused_by_the_decoder_or_out_of_place() {
        let refused = MALFORMED.iter().filter(|bytes| decode(bytes.to_vec().into()).is_err());
        assert!(refused.count() >= 4);
        assert!(!hostile(1).into_data().is_empty());
        assert_eq!(hostile(0).into_data().as_ref(), MALFORMED[0]);
    }
}
