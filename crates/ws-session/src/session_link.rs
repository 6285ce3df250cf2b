//! The per-connection link ([`crate::link`]) under the names the server and the client
//! use, with its refusals as this crate's [`Error`].
// the server and the client each use their part
#![cfg_attr(not(all(feature = "server", feature = "client")), allow(unused_imports, dead_code))]

pub(crate) use crate::link::{
    delivery_channel, lock, server_outbox_config, session_outbox_config, spawn_writer, Broken,
    BufferedSink, DeliverRx, DeliverTx, Framing, Inbound, Link, LinkEnd, OutboxBase, Outgoing,
    SessionParts, Side, Stop, Stored, WriteAhead, SINK_BUFFER,
};
use crate::protocol::SessionId;
use crate::Error;
use tokio_tungstenite::tungstenite::Message;
use ws_batch::OutboxError;

/// An application message as an outbox keeps it, refused when it is not data or larger
/// than `limit` ([`crate::link::checked_payload`]).
pub(crate) fn checked_payload(message: Message, limit: u64) -> Result<Stored, Error> {
    Ok(crate::link::checked_payload(message, limit)?)
}

/// The error of a push the outbox refused, with the message handed back.
pub(crate) fn outbox_full(session: SessionId, error: OutboxError<Stored>) -> Error {
    crate::link::outbox_full(session, error).into()
}
