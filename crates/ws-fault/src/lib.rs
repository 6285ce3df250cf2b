//! Seeded fault injection under any byte stream, for tests and soak runs.
//!
//! A [`FaultInjector`] wraps any `AsyncRead + AsyncWrite + Unpin` stream (a `TcpStream`, a
//! turmoil stream, a `tokio::io::duplex` half) in a [`FaultyStream`] that, per read or write
//! operation and with the configured probabilities, fails a write, kills the connection,
//! delays a write, or stalls a read; and, per close this side starts, fails the close.
//! Put it under tokio-tungstenite (`client_async` / `accept_async` over the wrapped stream)
//! on either side. Decisions come from seeded RNGs: the same seed and the same I/O give the
//! same faults. Every injected fault is counted in [`FaultStats`] and in the metric
//! `ws_fault_injected_total{kind}` (`kind` is `write_error`, `kill`, `delay`, `stall` or
//! `failed_close`), so a harness can check that each one was noticed. Delays and stalls
//! use tokio time, so tests can pause the clock.
//!
//! The wrapper follows the WebSocket framing in both directions (the HTTP upgrade, then
//! frame headers; payloads are skipped, not parsed). A close this side starts (its close
//! frame goes out before the peer's came in) is where a [`FaultKind::FailedClose`] strikes:
//! that write fails and the stream goes silent both ways, so the close handshake cannot
//! complete; under a ws-conn server the close fails (`ws_conn_close_failed_total`, a
//! `Failed` event) and the connection is force-closed. Once a close began, either side's,
//! no other fault is drawn: a fault on a connection already ending could not be noticed.
//! When both ends of a connection are wrapped in one process, [`FaultInjector::wrap_paired`]
//! with one [`Pair`] extends that to the other end.
//!
//! ```
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use ws_fault::{FaultConfig, FaultInjector, FaultKind, Injected};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()?.block_on(async {
//! let config = FaultConfig::seeded(7).with_rate(FaultKind::Kill, 1.0);
//! let injector = FaultInjector::new(config)?;
//! let (near, _far) = tokio::io::duplex(64);
//! let mut stream = injector.wrap(near);
//!
//! let error = stream.write_all(b"hello").await.unwrap_err();
//! assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
//! assert_eq!(Injected::cause_of(&error), Some(FaultKind::Kill)); // not a real reset
//! assert!(stream.read(&mut [0; 8]).await.is_err()); // dead from then on
//! assert_eq!(injector.stats().count(FaultKind::Kill), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod close;
mod config;
mod error;
mod frames;
mod gate;
mod injector;
mod kind;
mod pair;
mod plan;
mod stats;
mod stream;
mod switch;

pub use config::{FaultConfig, DEFAULT_DELAY, DEFAULT_STALL};
pub use error::{FaultError, Injected};
pub use injector::{stream_seed, FaultInjector};
pub use kind::FaultKind;
pub use pair::Pair;
pub use plan::FaultPlan;
pub use stats::FaultStats;
pub use stream::FaultyStream;

#[cfg(test)]
mod tests;
