//! Tests of the frame cursor over frames tungstenite itself formats: short, 16-bit and
//! 64-bit lengths, masked and not, split at every byte.

use super::FrameCursor;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};

const UPGRADE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";

fn bytes(frame: Frame, mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut frame = frame;
    frame.header_mut().mask = mask;
    let mut out = Vec::new();
    frame.format(&mut out).unwrap();
    out
}

fn binary(len: usize, mask: Option<[u8; 4]>) -> Vec<u8> {
    // A payload full of close-frame first bytes: only headers may count.
    bytes(Frame::message(vec![0x88; len], OpCode::Data(Data::Binary), true), mask)
}

fn close(mask: Option<[u8; 4]>) -> Vec<u8> {
    let frame = CloseFrame { code: CloseCode::Away, reason: "bye".into() };
    bytes(Frame::close(Some(frame)), mask)
}

/// The upgrade, data frames of every length format, then a close: returns the stream and
/// the close's offset.
fn conversation(mask: Option<[u8; 4]>) -> (Vec<u8>, usize) {
    let mut stream = UPGRADE.to_vec();
    for len in [0, 5, 125, 126, 300, 70_000] {
        stream.extend(binary(len, mask));
    }
    stream.extend(bytes(Frame::ping(vec![1, 2]), mask));
    let at = stream.len();
    stream.extend(close(mask));
    (stream, at)
}

#[test]
fn a_close_after_the_upgrade_and_data_is_found_at_its_offset() {
    for mask in [None, Some([7, 0x88, 9, 1])] {
        let (stream, at) = conversation(mask);
        assert_eq!(FrameCursor::default().advance(&stream), Some(at));
        assert_eq!(FrameCursor::default().peek(&stream), Some(at));
    }
}

#[test]
fn any_split_finds_the_close_in_the_right_piece() {
    let (stream, at) = conversation(Some([1, 2, 3, 4]));
    for split in (0..stream.len()).step_by(97).chain(at - 3..at + 3) {
        let mut cursor = FrameCursor::default();
        let first = cursor.advance(&stream[..split]);
        let second = cursor.advance(&stream[split..]).map(|offset| offset + split);
        assert_eq!(first.or(second), Some(at), "split at {split}");
    }
}

#[test]
fn peeking_does_not_move_the_cursor() {
    let mut cursor = FrameCursor::default();
    assert_eq!(cursor.advance(UPGRADE), None);
    let closing = close(None);
    assert_eq!(cursor.peek(&closing), Some(0));
    assert_eq!(cursor.advance(&closing), Some(0));
    assert_eq!(cursor.peek(&binary(3, None)), None);
}

#[test]
fn bytes_without_an_upgrade_never_hold_a_close() {
    let mut cursor = FrameCursor::default();
    assert_eq!(cursor.advance(&close(None)), None);
    assert_eq!(cursor.advance(b"\r\n\r"), None);
    assert!(matches!(cursor, FrameCursor::Upgrade(3)));
    assert_eq!(cursor.advance(b"\n"), None);
    assert_eq!(cursor.advance(&close(None)), Some(0));
}
