//! Which application messages an outbox takes: text and binary messages within the
//! session's `max_payload`, refused with the message handed back otherwise.

use super::Stored;
use crate::error::Error;
use crate::protocol::Payload;
use tokio_tungstenite::tungstenite::Message;

/// An application message as an outbox keeps it, refused when it is not data or too large
/// for the session's `max_payload` (the peer would close with 1009 and the resend would
/// fail again).
#[inline]
pub fn checked_payload(message: Message, limit: u64) -> Result<Stored, Error> {
    checked(message, limit).map(Stored::from)
}

/// The payload of an application message, refused as [`checked_payload`] refuses, not yet
/// copied in: a sink checks it (and its budget) before it stores it in place.
#[inline]
pub fn checked(message: Message, limit: u64) -> Result<Payload, Error> {
    let payload = data_payload(message)?;
    if payload.len() as u64 > limit {
        return Err(too_large(payload, limit));
    }
    Ok(payload)
}

/// The payload of a text or binary message; any other is refused and handed back.
#[inline]
fn data_payload(message: Message) -> Result<Payload, Error> {
    match message {
        Message::Text(text) => Ok(Payload::Text(text)),
        Message::Binary(bytes) => Ok(Payload::Binary(bytes)),
        other => Err(Error::NotData { message: other }),
    }
}

fn too_large(payload: Payload, limit: u64) -> Error {
    Error::TooLarge { size: payload.len(), limit, message: payload.into_message() }
}
