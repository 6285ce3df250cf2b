//! `ws-soak`: the soak and chaos harness behind `cargo xtask reliability`.
//!
//! A [`ReliableServer`](ws_reliability::server::ReliableServer) and N
//! [`ReliableClient`](ws_reliability::client::ReliableClient)s run on loopback in one process;
//! every client's connections go through a seeded
//! [`FaultInjector`](ws_reliability::fault::FaultInjector) (killed connections, failed writes,
//! delayed writes, stalled reads) and a chaos health check fails at random. The clients check
//! every message's sequence; the run ends with a [`Report`](report::Report) whose success
//! metrics decide the exit status.
//!
//! The pieces that are logic live here and are unit-tested: duration parsing ([`args`]),
//! payload encoding ([`payload`]), per-client sequence checking ([`sequence`]), percentile
//! maths ([`stats`]), silent-failure matching ([`silent`]), Prometheus text parsing
//! ([`prom`]), the report and its success checks ([`report`]), `/proc` memory figures
//! ([`memory`]) and the dashboard check ([`dashboard`]). The harness itself is [`harness`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod args;
pub mod dashboard;
mod error;
pub mod harness;
pub mod memory;
pub mod nodes;
pub mod payload;
pub mod prom;
pub mod report;
pub mod sequence;
pub mod silent;
#[cfg(feature = "simulation")]
pub mod sim;
pub mod stats;

pub use error::SoakError;
