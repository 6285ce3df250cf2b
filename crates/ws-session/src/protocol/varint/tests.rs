//! Unit tests of the varint encoding: known vectors, round trips, and every refusal.

use super::*;
use proptest::prelude::*;

fn encoded(value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, value);
    out
}

// [M2.3] the encoder writes the minimal encoding
#[test]
fn known_vectors() {
    assert_eq!(encoded(0), [0x00]);
    assert_eq!(encoded(1), [0x01]);
    assert_eq!(encoded(127), [0x7f]);
    assert_eq!(encoded(128), [0x80, 0x01]);
    assert_eq!(encoded(300), [0xac, 0x02]);
    assert_eq!(encoded(16_384), [0x80, 0x80, 0x01]);
    let mut max = vec![0xff; 9];
    max.push(0x01);
    assert_eq!(encoded(u64::MAX), max);
}

#[test]
fn lengths_at_every_boundary() {
    assert_eq!(varint_len(0), 1);
    for bytes in 1..MAX_VARINT_LEN {
        let largest = (1u64 << (7 * bytes)) - 1;
        assert_eq!(varint_len(largest), bytes);
        assert_eq!(varint_len(largest + 1), bytes + 1);
    }
    assert_eq!(varint_len(u64::MAX), MAX_VARINT_LEN);
}

// [M2.4] non-minimal, over-long and overflowing varints are refused (10th byte only 01)
#[test]
fn refuses_truncated_overlong_and_overflowing_input() {
    assert_eq!(read_varint(&[]), Err(ProtocolError::Truncated));
    assert_eq!(read_varint(&[0x80]), Err(ProtocolError::Truncated));
    assert_eq!(read_varint(&[0x80, 0x00]), Err(ProtocolError::VarintNotMinimal));
    assert_eq!(read_varint(&[0xff; 11]), Err(ProtocolError::VarintOverflow));
    let mut too_big = vec![0xff; 9];
    too_big.push(0x02);
    assert_eq!(read_varint(&too_big), Err(ProtocolError::VarintOverflow));
    let mut tenth_zero = vec![0xff; 9];
    tenth_zero.push(0x00);
    assert_eq!(read_varint(&tenth_zero), Err(ProtocolError::VarintNotMinimal));
}

#[test]
fn reads_only_its_own_bytes() {
    assert_eq!(read_varint(&[0xac, 0x02, 0x99]), Ok((300, 2)));
}

proptest! {
    #[test]
    fn round_trips(value: u64, tail in proptest::collection::vec(any::<u8>(), 0..4)) {
        let mut bytes = encoded(value);
        prop_assert_eq!(bytes.len(), varint_len(value));
        let used = bytes.len();
        bytes.extend(tail);
        prop_assert_eq!(read_varint(&bytes), Ok((value, used)));
    }

    #[test]
    fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        if let Ok((value, used)) = read_varint(&bytes) {
            prop_assert_eq!(encoded(value), bytes[..used].to_vec());
        }
    }
}
