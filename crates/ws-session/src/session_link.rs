//! The per-connection link, which lives in ws-session (`ws_session::link`), under the names
//! the server and the client use, with its refusals as this crate's [`Error`].
// the server (`conn`) and the client (`reconnect`) each use their part
#![cfg_attr(not(all(feature = "conn", feature = "reconnect")), allow(unused_imports, dead_code))]

use crate::protocol::SessionId;
use crate::Error;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio_tungstenite::tungstenite::Message;
use ws_batch::OutboxError;
pub(crate) use ws_session::link::{
    delivery_channel, server_outbox_config, session_outbox_config, spawn_writer, Broken,
    BufferedSink, DeliverRx, DeliverTx, Framing, Inbound, Link, LinkEnd, OutboxBase, Outgoing,
    SessionParts, Side, Stop, Stored, WriteAhead, SINK_BUFFER,
};

/// Locks a std mutex, recovering from poisoning (the data stays consistent: every critical
/// section is a single assignment or a pure update).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An application message as an outbox keeps it, refused when it is not data or larger
/// than `limit` ([`ws_session::link::checked_payload`]).
pub(crate) fn checked_payload(message: Message, limit: u64) -> Result<Stored, Error> {
    Ok(ws_session::link::checked_payload(message, limit)?)
}

/// The error of a push the outbox refused, with the message handed back.
pub(crate) fn outbox_full(session: SessionId, error: OutboxError<Stored>) -> Error {
    ws_session::link::outbox_full(session, error).into()
}
