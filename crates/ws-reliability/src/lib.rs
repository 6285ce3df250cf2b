//! WebSocket services that lose no message and fail loudly instead of silently.
//!
//! `ws-reliability` is a thin facade: each reliability fix is its own crate, and a cargo
//! feature here re-exports it. Depend on the facade with the features you need, or on a
//! fix crate directly.
//!
//! # Feature flags
//!
//! No feature is on by default. `tls` is a transport and `axum` an entry point, not fixes:
//! `full` leaves them out.
//!
//! | feature     | re-exports              | the failure it removes                                   |
//! |-------------|-------------------------|----------------------------------------------------------|
//! | `batch`     | [`batch`] (ws-batch)    | messages removed from the queue before the send is confirmed |
//! | `sync`      | [`sync`] (ws-sync)      | callback failures that vanish inside a join              |
//! | `conn`      | [`conn`] (ws-conn)      | ghost connections left behind by a failed close          |
//! | `reconnect` | [`reconnect`] (ws-reconnect) | reconnect loops that hammer a server or fail silently |
//! | `monitor`   | [`monitor`] (ws-monitor)| health checks that stop at the first failure             |
//! | `full`      | all of the above        |                                                          |
//! | `tls`       | [`tls`] (rustls, ring)  | no `wss://`: a client that cannot reach a TLS server, a server that needs a proxy for TLS |
//! | `axum`      | [`axum`] (axum 0.8, hyper 1; implies `batch` + `conn`) | a reliable endpoint that cannot be mounted beside an axum application's routes |
//!
//! The shared vocabulary (backoff, criticality) is always available as [`core`].
//!
//! | with features          | you get |
//! |------------------------|---------|
//! | `batch` + `conn`       | `server::ReliableServer`: wsr.v1 over tokio-tungstenite, sessions, resume, limits; `send`, `send_wait`, and `sink` (a `futures::Sink<Message>` per session, with backpressure) |
//! | `batch` + `reconnect`  | `client::ReliableClient`: reconnect, resume, exactly-once in-order delivery |
//! | `sync` (with either)   | the application's state callbacks on every open and resume (`Hooks`) |
//! | `monitor`              | `serve_health`, and built-in checks on the server and the client |
//!
//! Three modules are always available, whatever the features:
//!
//! - [`protocol`] (the crate ws-session): wire protocol v1 (`wsr.v1`), its frame codec, resume tokens, in-order
//!   delivery and ack batching, specified in `docs/protocol.md`;
//! - [`fault`] (the crate ws-fault): seeded fault injection under any byte stream (failed writes, killed
//!   connections, delays, stalled reads), every fault counted;
//! - [`rollout`]: runtime switches (each fix off, on, or on for a percentage of sessions,
//!   without a restart) and a rollback guard that turns a fix off when its error rate
//!   spikes.
//!
//! ```toml
//! [dependencies]
//! ws-reliability = { version = "0.2", features = ["batch", "conn"] }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(inline)]
pub use ws_core as core;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(all(feature = "reconnect", feature = "batch"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "reconnect", feature = "batch"))))]
pub mod client;
#[doc(inline)]
pub use ws_fault as fault;
#[doc(inline)]
pub use ws_session::events;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "monitor")]
#[cfg_attr(docsrs, doc(cfg(feature = "monitor")))]
pub use ws_session::health::serve_health;
#[cfg(all(feature = "batch", any(feature = "conn", feature = "reconnect")))]
pub use ws_session::Hooks;
#[cfg(any(all(feature = "batch", any(feature = "conn", feature = "reconnect")), feature = "axum"))]
mod metrics;
#[doc(inline)]
pub use ws_session::protocol;
#[doc(inline)]
pub use ws_session::rollout;
/// Where sessions live between connections and processes: the `ws-store` crate
/// (`ServerConfig::sessions.store`; backends `MemoryStore`, `RedbStore` with the feature `redb`,
/// `RedisStore` with `redis`).
pub use ws_store as store;
#[cfg(all(feature = "batch", feature = "conn"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "batch", feature = "conn"))))]
pub mod server;
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub mod tls;
#[cfg(all(feature = "sync", feature = "batch", any(feature = "conn", feature = "reconnect")))]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use ws_session::{SessionSync, SyncFailure};

/// The WebSocket message type of the whole API (tokio-tungstenite's).
pub use tokio_tungstenite::tungstenite::Message;
pub use ws_session::Error;

#[cfg(feature = "batch")]
#[cfg_attr(docsrs, doc(cfg(feature = "batch")))]
#[doc(inline)]
pub use ws_batch as batch;

#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
#[doc(inline)]
pub use ws_sync as sync;

#[cfg(feature = "conn")]
#[cfg_attr(docsrs, doc(cfg(feature = "conn")))]
#[doc(inline)]
pub use ws_conn as conn;

#[cfg(feature = "reconnect")]
#[cfg_attr(docsrs, doc(cfg(feature = "reconnect")))]
#[doc(inline)]
pub use ws_reconnect as reconnect;

#[cfg(feature = "monitor")]
#[cfg_attr(docsrs, doc(cfg(feature = "monitor")))]
#[doc(inline)]
pub use ws_monitor as monitor;
