//! [`encode`] and [`decode`]: a [`Frame`] to and from the bytes of one binary message.
//!
//! The layout of each frame is documented in `docs/protocol.md`; `tests/protocol_doc.rs`
//! checks the worked example there byte for byte.

use super::error::ProtocolError;
use super::frame::{
    Data, ErrorNotice, Frame, FrameType, Hello, Payload, Resume, SessionLostReason, Welcome,
};
use super::limits::Limits;
use super::reader::Reader;
use super::token::{ResumeToken, SessionId};
use super::varint::{put_varint, varint_len};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Bytes, Utf8Bytes};

/// HELLO mode bit: resume the session named next (clear: open a fresh session).
const HELLO_RESUME: u8 = 0x01;
/// HELLO mode and WELCOME flags bit: the sender accepts BATCH frames.
const ACCEPTS_BATCH: u8 = 0x02;
/// WELCOME flags bit: the session was resumed.
const WELCOME_RESUMED: u8 = 0x01;

/// Encodes a frame as the bytes of one binary WebSocket message.
pub fn encode(frame: &Frame) -> Bytes {
    let mut out = Vec::with_capacity(capacity_hint(frame));
    encode_into(frame, &mut out);
    Bytes::from(out)
}

/// Appends the encoding of `frame` to `out`.
pub fn encode_into(frame: &Frame, out: &mut Vec<u8>) {
    match frame {
        Frame::Data(data) => put_data(out, data.seq, &data.payload),
        Frame::Batch(batch) => super::batch::put_batch(out, batch),
        Frame::Ack(seq) => put_typed_varint(out, FrameType::Ack, *seq),
        Frame::Error(notice) => put_error(out, notice),
        handshake => put_handshake(out, handshake),
    }
}

/// The frames that open a connection; any other goes back to [`encode_into`].
fn put_handshake(out: &mut Vec<u8>, frame: &Frame) {
    match frame {
        Frame::Hello(hello) => put_hello(out, hello),
        Frame::Welcome(welcome) => put_welcome(out, welcome),
        Frame::SessionLost(reason) => out.extend([FrameType::SessionLost as u8, reason.code()]),
        Frame::Data(_) | Frame::Batch(_) | Frame::Ack(_) | Frame::Error(_) => {
            encode_into(frame, out)
        }
    }
}

/// The framing bytes of a DATA frame with this sequence number: type byte plus varint.
pub fn data_overhead(seq: u64) -> usize {
    1 + varint_len(seq)
}

/// Enough capacity for most frames in one allocation.
fn capacity_hint(frame: &Frame) -> usize {
    match frame {
        Frame::Data(data) => data_overhead(data.seq) + data.payload.len(),
        _ => 64,
    }
}

fn put_typed_varint(out: &mut Vec<u8>, kind: FrameType, value: u64) {
    out.push(kind as u8);
    put_varint(out, value);
}

fn put_data(out: &mut Vec<u8>, seq: u64, payload: &Payload) {
    let kind = match payload {
        Payload::Text(_) => FrameType::DataText,
        Payload::Binary(_) => FrameType::DataBinary,
    };
    put_typed_varint(out, kind, seq);
    out.extend_from_slice(payload.as_bytes());
}

/// Encodes a DATA frame straight from its parts, in one allocation of the exact size
/// (the hot path of a sender).
pub fn encode_data(seq: u64, payload: &Payload) -> Bytes {
    let mut out = Vec::with_capacity(data_overhead(seq) + payload.len());
    put_data(&mut out, seq, payload);
    Bytes::from(out)
}

fn put_hello(out: &mut Vec<u8>, hello: &Hello) {
    let resume_bit = if hello.resume.is_some() { HELLO_RESUME } else { 0 };
    out.extend([FrameType::Hello as u8, resume_bit | batch_bit(hello.batch)]);
    if let Some(resume) = &hello.resume {
        put_resume(out, resume);
    }
    out.extend_from_slice(&hello.auth);
}

/// The flag bit that announces BATCH support.
fn batch_bit(accepts: bool) -> u8 {
    if accepts {
        ACCEPTS_BATCH
    } else {
        0
    }
}

fn put_resume(out: &mut Vec<u8>, resume: &Resume) {
    out.extend_from_slice(resume.session.as_bytes());
    out.extend_from_slice(resume.token.as_bytes());
    put_varint(out, resume.last_received);
}

fn put_welcome(out: &mut Vec<u8>, welcome: &Welcome) {
    let flags = if welcome.resumed { WELCOME_RESUMED } else { 0 };
    out.extend([FrameType::Welcome as u8, flags | batch_bit(welcome.batch)]);
    out.extend_from_slice(welcome.session.as_bytes());
    out.extend_from_slice(welcome.token.as_bytes());
    let limits = &welcome.limits;
    let numbers = [welcome.last_received, limits.max_payload, limits.max_unacked];
    numbers.into_iter().chain([limits.resume_window_ms()]).for_each(|n| put_varint(out, n));
}

fn put_error(out: &mut Vec<u8>, notice: &ErrorNotice) {
    out.push(FrameType::Error as u8);
    out.extend(notice.code.to_be_bytes());
    out.extend_from_slice(notice.reason.as_bytes());
}

/// Decodes one binary WebSocket message. Malformed input returns an error (counted in
/// `ws_protocol_decode_errors_total{kind}`); it never panics.
pub fn decode(bytes: Bytes) -> Result<Frame, ProtocolError> {
    decode_frame(Reader::new(bytes)).map_err(counted)
}

/// [`decode`], refusing a BATCH of more than `max_entries` entries without decoding them
/// all ([`ProtocolError::TooManyEntries`]).
pub(crate) fn decode_bounded(bytes: Bytes, max_entries: u64) -> Result<Frame, ProtocolError> {
    decode_frame(Reader::with_max_entries(bytes, max_entries)).map_err(counted)
}

/// Counts a refused incoming message in `ws_protocol_decode_errors_total{kind}`.
pub(crate) fn counted(error: ProtocolError) -> ProtocolError {
    metrics::counter!("ws_protocol_decode_errors_total", "kind" => error.kind()).increment(1);
    error
}

/// Reads the body of a frame whose type byte was consumed.
type BodyReader = fn(Reader) -> Result<Frame, ProtocolError>;

/// The body reader of each frame type.
const BODY_READERS: [(FrameType, BodyReader); 8] = [
    (FrameType::Hello, read_hello),
    (FrameType::Welcome, read_welcome),
    (FrameType::SessionLost, read_session_lost),
    (FrameType::DataText, read_text),
    (FrameType::DataBinary, read_binary),
    (FrameType::Ack, read_ack),
    (FrameType::Error, read_error),
    (FrameType::Batch, super::batch::read_batch),
];

fn decode_frame(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let byte = reader.byte().map_err(|_| ProtocolError::Empty)?;
    let found = BODY_READERS.iter().find(|(kind, _)| *kind as u8 == byte);
    let (_, read_body) = found.ok_or(ProtocolError::UnknownFrameType(byte))?;
    read_body(reader)
}

fn read_hello(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let mode = reader.byte()?;
    if mode & !(HELLO_RESUME | ACCEPTS_BATCH) != 0 {
        return Err(ProtocolError::UnknownHelloMode(mode));
    }
    let resume = (mode & HELLO_RESUME != 0).then(|| read_resume(&mut reader)).transpose()?;
    let batch = mode & ACCEPTS_BATCH != 0;
    Ok(Frame::Hello(Hello { resume, auth: reader.rest(), batch }))
}

fn read_resume(reader: &mut Reader) -> Result<Resume, ProtocolError> {
    let session = SessionId::from_bytes(reader.array()?);
    let token = ResumeToken::from_bytes(reader.array()?);
    Ok(Resume { session, token, last_received: reader.varint()? })
}

fn read_welcome(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let (resumed, batch) = read_welcome_flags(reader.byte()?)?;
    let session = SessionId::from_bytes(reader.array()?);
    let token = ResumeToken::from_bytes(reader.array()?);
    let last_received = reader.varint()?;
    let limits = read_limits(&mut reader)?;
    reader.finish()?;
    Ok(Frame::Welcome(Welcome { resumed, session, token, last_received, limits, batch }))
}

/// WELCOME's flags: (resumed, accepts BATCH).
fn read_welcome_flags(flags: u8) -> Result<(bool, bool), ProtocolError> {
    match flags & !(WELCOME_RESUMED | ACCEPTS_BATCH) {
        0 => Ok((flags & WELCOME_RESUMED != 0, flags & ACCEPTS_BATCH != 0)),
        _ => Err(ProtocolError::UnknownFlags(flags)),
    }
}

fn read_limits(reader: &mut Reader) -> Result<Limits, ProtocolError> {
    let max_payload = reader.varint()?;
    let max_unacked = reader.varint()?;
    let resume_window = Duration::from_millis(reader.varint()?);
    Ok(Limits { max_payload, max_unacked, resume_window })
}

fn read_session_lost(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let reason = SessionLostReason::from_code(reader.byte()?);
    reader.finish()?;
    Ok(Frame::SessionLost(reason))
}

pub(crate) fn read_seq(reader: &mut Reader) -> Result<u64, ProtocolError> {
    match reader.varint()? {
        0 => Err(ProtocolError::ZeroSequence),
        seq => Ok(seq),
    }
}

fn read_text(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let seq = read_seq(&mut reader)?;
    let text = Utf8Bytes::try_from(reader.rest()).map_err(|_| ProtocolError::InvalidUtf8)?;
    Ok(Frame::Data(Data { seq, payload: Payload::Text(text) }))
}

fn read_binary(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let seq = read_seq(&mut reader)?;
    Ok(Frame::Data(Data { seq, payload: Payload::Binary(reader.rest()) }))
}

fn read_ack(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let seq = reader.varint()?;
    reader.finish()?;
    Ok(Frame::Ack(seq))
}

fn read_error(mut reader: Reader) -> Result<Frame, ProtocolError> {
    let code = reader.u16()?;
    let reason = Utf8Bytes::try_from(reader.rest()).map_err(|_| ProtocolError::InvalidUtf8)?;
    Ok(Frame::Error(ErrorNotice { code, reason }))
}
