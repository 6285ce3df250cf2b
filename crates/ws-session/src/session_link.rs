//! The per-connection link ([`crate::link`]) under the names the server and the client
//! use; its refusals are this crate's [`Error`](crate::Error).
// the server and the client each use their part
#![cfg_attr(not(all(feature = "server", feature = "client")), allow(unused_imports, dead_code))]

pub(crate) use crate::link::{
    checked, checked_payload, delivery_channel, lock, outbox_full, server_outbox_config,
    session_outbox_config, spawn_writer, Broken, BufferedSink, DeliverRx, DeliverTx, Framing,
    Inbound, Link, LinkEnd, LinkToken, OutboxBase, Outgoing, SessionParts, Side, Stop, Stored,
    WriteAhead, SINK_BUFFER,
};
