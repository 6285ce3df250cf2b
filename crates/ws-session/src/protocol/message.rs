//! Frames as `tungstenite::Message`s: every wsr.v1 frame travels as one binary message.

use super::close::CloseCode;
use super::codec::{counted, decode_bounded, encode, encode_data};
use super::error::ProtocolError;
use super::frame::{Frame, Hello, Payload};
use super::limits::Limits;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// The binary message that carries `frame`.
pub fn to_message(frame: &Frame) -> Message {
    Message::Binary(encode(frame))
}

/// The binary message of a DATA frame (the hot path: one allocation of the exact size).
pub fn data_message(seq: u64, payload: &Payload) -> Message {
    Message::Binary(encode_data(seq, payload))
}

/// The frame in a received message on a wsr.v1 connection.
///
/// `Ok(None)` for ping, pong and close (the caller handles those); an error (counted in
/// `ws_protocol_decode_errors_total{kind}`) for a text message, a message over `limits`,
/// or a malformed frame. The error's
/// [`close_code`](ProtocolError::close_code) is the code to close with.
pub fn from_message(message: &Message, limits: &Limits) -> Result<Option<Frame>, ProtocolError> {
    match message {
        Message::Binary(bytes) => decode_within(bytes.clone(), limits).map(Some),
        Message::Text(_) => Err(counted(ProtocolError::TextMessage)),
        _ => Ok(None),
    }
}

/// A received message on a wsr.v1 connection: a frame, or a control message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A wsr.v1 frame.
    Frame(Frame),
    /// Ping, pong or close, handed back for the caller to handle.
    Control(Message),
}

/// Like [`from_message`], taking the message by value: the fast path of a receive loop
/// (the payload is sliced without a copy or a reference-count update).
pub fn receive(message: Message, limits: &Limits) -> Result<Received, ProtocolError> {
    match message {
        Message::Binary(bytes) => decode_within(bytes, limits).map(Received::Frame),
        Message::Text(_) => Err(counted(ProtocolError::TextMessage)),
        control => Ok(Received::Control(control)),
    }
}

/// Decodes a message within `limits`: the message at most max_payload + 11 bytes, and
/// each payload (a DATA payload, every BATCH entry) at most max_payload bytes, whatever
/// the length of its sequence number (`docs/protocol.md` § 6 and § 3.7).
fn decode_within(bytes: Bytes, limits: &Limits) -> Result<Frame, ProtocolError> {
    let limit = limits.max_message_size();
    match bytes.len() {
        size if size > limit => Err(counted(ProtocolError::TooLarge { size, limit })),
        _ => decode_bounded(bytes, limits.max_unacked)
            .and_then(|frame| payloads_within(frame, limits)),
    }
}

/// The frame, or [`ProtocolError::TooLarge`] (counted) when a payload passes max_payload.
fn payloads_within(frame: Frame, limits: &Limits) -> Result<Frame, ProtocolError> {
    let limit = usize::try_from(limits.max_payload).unwrap_or(usize::MAX);
    let size = largest_payload(&frame);
    if size > limit {
        return Err(counted(ProtocolError::TooLarge { size, limit }));
    }
    Ok(frame)
}

/// The length of the frame's largest application payload (0 for a frame without one).
fn largest_payload(frame: &Frame) -> usize {
    match frame {
        Frame::Data(data) => data.payload.len(),
        Frame::Batch(batch) => batch.payloads.iter().map(Payload::len).max().unwrap_or(0),
        _ => 0,
    }
}

impl Hello {
    /// The HELLO a connection's first message must be (`docs/protocol.md` § 1), or the close
    /// code for anything else: the server's first-message check.
    pub fn from_first_message(message: &Message, limits: &Limits) -> Result<Hello, CloseCode> {
        match from_message(message, limits) {
            Ok(Some(Frame::Hello(hello))) => Ok(hello),
            Ok(_) => Err(CloseCode::ProtocolError),
            Err(error) => Err(error.close_code()),
        }
    }
}
