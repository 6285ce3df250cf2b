//! The codec's checks: [`frame`], [`batch`] and [`hello`].

use super::{ensure, malformed, Broken, Checked};
use crate::protocol::{decode, encode, from_message, Batch, Frame, Hello, Limits, ProtocolError};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// Tiny limits, so short inputs reach the 1009 refusals too: payloads of at most 8 bytes.
const TINY: Limits =
    Limits { max_payload: 8, max_unacked: 2, resume_window: Duration::from_millis(1) };

/// Any bytes as one binary message: decoded or refused with a typed error, re-encoded to
/// the same bytes, and refused by size exactly when past the limits.
pub fn frame(bytes: &[u8]) -> Checked {
    let message = Bytes::copy_from_slice(bytes);
    let decoded = decode(message.clone());
    round_trip(&decoded, bytes)?;
    within(&decoded, &message, &Limits::default())?;
    within(&decoded, &message, &TINY)
}

/// The body of a BATCH frame: [`frame`]'s checks and the shape of a decoded batch.
pub fn batch(body: &[u8]) -> Checked {
    let bytes = [&[0x08], body].concat();
    frame(&bytes)?;
    match decode(Bytes::from(bytes)) {
        Ok(Frame::Batch(batch)) => batch_shape(&batch, body.len()),
        Ok(other) => Err(Broken(format!("a BATCH decoded as {other:?}"))),
        Err(_) => Ok(()),
    }
}

/// The body of a HELLO frame: [`frame`]'s checks, and the server's first-message check
/// ([`Hello::from_first_message`]) answers the HELLO, or the close code of the decode error.
pub fn hello(body: &[u8]) -> Checked {
    let bytes = Bytes::from([&[0x01], body].concat());
    frame(&bytes)?;
    let limits = Limits::default();
    let expected = from_message(&Message::Binary(bytes.clone()), &limits);
    let answered = Hello::from_first_message(&Message::Binary(bytes), &limits);
    hello_answer(expected, answered)
}

/// What the server's first-message check answered against what the codec decoded.
fn hello_answer(
    expected: Result<Option<Frame>, ProtocolError>,
    answered: Result<Hello, crate::protocol::CloseCode>,
) -> Checked {
    let described = format!("decoded {expected:?}, from_first_message answered {answered:?}");
    let agrees = match (expected, answered) {
        (Ok(Some(Frame::Hello(hello))), Ok(got)) => hello == got,
        (Err(error), Err(code)) => error.close_code() == code,
        _ => false,
    };
    ensure(agrees, || described)
}

/// A decoded frame encodes to the very bytes it came from (every field has exactly one
/// encoding); an error is a malformed frame (1002).
fn round_trip(decoded: &Result<Frame, ProtocolError>, bytes: &[u8]) -> Checked {
    match decoded {
        Ok(frame) => {
            let encoded = encode(frame);
            ensure(encoded == bytes, || format!("{frame:?} re-encoded as {encoded:02x?}"))
        }
        Err(error) => malformed(error),
    }
}

/// `from_message` under `limits` answers what the decoder did, except that a message or
/// a payload past the limits is refused with 1009 before it is handed out.
fn within(decoded: &Result<Frame, ProtocolError>, message: &Bytes, limits: &Limits) -> Checked {
    let got = from_message(&Message::Binary(message.clone()), limits);
    let expected = expected_within(decoded, message.len(), limits);
    let same = same_answer(&got, &expected) || stopped_at_entry_limit(&got, decoded, limits);
    ensure(same, || format!("from_message {got:?}, expected {expected:?} under {limits:?}"))
}

/// A BATCH refused at the entry limit (`docs/protocol.md` [M3.11]): one longer than
/// max_unacked entries, or one whose unbounded decoding failed, since the bounded decoder
/// stops at entry max_unacked + 1 and never reads a malformed entry after it.
fn stopped_at_entry_limit(
    got: &Result<Option<Frame>, ProtocolError>,
    decoded: &Result<Frame, ProtocolError>,
    limits: &Limits,
) -> bool {
    let at_limit = ProtocolError::TooManyEntries { limit: limits.max_unacked };
    let longer = match decoded {
        Ok(Frame::Batch(batch)) => batch.payloads.len() as u64 > limits.max_unacked,
        Ok(_) => false,
        Err(_) => true,
    };
    longer && got.as_ref().err() == Some(&at_limit)
}

/// Whether `from_message` gave the expected frame, or the expected error (any `TooLarge`
/// for a `TooLarge`: the sizes it names differ with what was measured).
fn same_answer(
    got: &Result<Option<Frame>, ProtocolError>,
    expected: &Result<Frame, ProtocolError>,
) -> bool {
    match (got, expected) {
        (Ok(Some(frame)), Ok(want)) => frame == want,
        (Err(ProtocolError::TooLarge { .. }), Err(ProtocolError::TooLarge { .. })) => true,
        (Err(error), Err(want)) => error == want,
        _ => false,
    }
}

/// The decode result, or `TooLarge` when the message or a payload passes the limits.
fn expected_within(
    decoded: &Result<Frame, ProtocolError>,
    size: usize,
    limits: &Limits,
) -> Result<Frame, ProtocolError> {
    let too_large = ProtocolError::TooLarge { size, limit: limits.max_message_size() };
    if size > limits.max_message_size() {
        return Err(too_large);
    }
    let frame = decoded.clone()?;
    let fits = largest_payload(&frame) as u64 <= limits.max_payload;
    fits.then_some(frame).ok_or(too_large)
}

/// The frame's largest application payload in bytes (0 without one).
fn largest_payload(frame: &Frame) -> usize {
    match frame {
        Frame::Data(data) => data.payload.len(),
        Frame::Batch(batch) => {
            batch.payloads.iter().map(|payload| payload.len()).max().unwrap_or(0)
        }
        _ => 0,
    }
}

/// A decoded BATCH: at least one entry, numbered from `first` ≥ 1 one by one without
/// overflow, and at most one entry per two bytes of body (what bounds its allocation).
fn batch_shape(batch: &Batch, body_len: usize) -> Checked {
    let count = batch.payloads.len();
    ensure(count >= 1 && batch.first >= 1, || format!("{count} entries from {}", batch.first))?;
    ensure(count <= body_len / 2, || format!("{count} entries in {body_len} bytes"))?;
    let last = batch.first.checked_add(count as u64 - 1);
    let numbers: Vec<u64> = batch.clone().into_data().map(|data| data.seq).collect();
    let consecutive =
        numbers.last().copied() == last && numbers.windows(2).all(|w| w[1] == w[0] + 1);
    ensure(consecutive, || format!("entries numbered {numbers:?}"))
}
