//! The wsr.v1 reliable WebSocket session protocol, as a library both ends share: the frames
//! and their byte codec, cumulative acks sent in batches, in-order exactly-once delivery,
//! single-use resume tokens compared in constant time, the close codes and the negotiation
//! of the `wsr.v1` subprotocol ([`protocol`]); and the per-connection [`link`] both ends of
//! `ws-reliability` run over a connection: a writer task, the outbox's flusher, and a reader
//! that deduplicates, delivers in order and acks in batches. Above them, the session state
//! machine of each end: `server` (feature `server`: `SessionServer`, every session of a
//! server, resume, limits, the budget, events, the session store's journal) and `client`
//! (feature `client`: what a client keeps across its connections), with the [`rollout`]
//! switches both follow and the [`Error`] their API returns. It opens no listening socket
//! and dials none: `ws-reliability` adds the accept loop, the reconnect loop and the axum
//! adapter, and re-exports this crate; a client in another language follows the same
//! document, `docs/protocol.md`.
//!
//! ```
//! use ws_session::protocol::{decode, encode, Data, Frame, Payload};
//!
//! let frame = Frame::Data(Data { seq: 7, payload: Payload::Text("hi".into()) });
//! assert_eq!(decode(encode(&frame))?, frame);
//! # Ok::<(), ws_session::protocol::ProtocolError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
mod error;
pub mod events;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "monitor")]
#[cfg_attr(docsrs, doc(cfg(feature = "monitor")))]
pub mod health;
#[cfg(any(feature = "server", feature = "client"))]
mod hooks;
pub mod link;
mod metrics;
pub mod protocol;
pub mod read_ahead;
pub mod rollout;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;
#[cfg(any(feature = "server", feature = "client"))]
mod session_link;
#[cfg(any(feature = "server", feature = "client"))]
mod state_sync;
#[cfg(test)]
mod testing;

pub use error::Error;
#[cfg(any(feature = "server", feature = "client"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "server", feature = "client"))))]
pub use hooks::Hooks;
#[cfg(all(feature = "sync", any(feature = "server", feature = "client")))]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use state_sync::{SessionSync, SyncFailure};
