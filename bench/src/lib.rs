//! `ws-bench`: the benchmark behind `cargo xtask bench`.
//!
//! Two measurements, each over raw tokio-tungstenite 0.30 and over
//! [`ReliableServer`](ws_reliability::server::ReliableServer) /
//! [`ReliableClient`](ws_reliability::client::ReliableClient) (wsr.v1, acks on), side by side
//! in the same run on loopback:
//!
//! - push throughput ([`push`]): K clients each receive M 64-byte binary messages pushed by
//!   the server (raw: `feed` + a `flush` every [`push::FLUSH_EVERY`] messages; reliable:
//!   `feed` into the session's `ReliableServer::sink`, which waits while the outbox is
//!   full). Only messages
//!   delivered to the client application count, each checked in order; connection setup is
//!   not timed. The process's CPU time during each push ([`cpu`]) tells how many cores
//!   it kept busy;
//! - with `--upload`, upload throughput instead ([`upload`]): K clients each send M
//!   64-byte messages to the server, checked in order per connection or session;
//! - with `--latency`, one-way latency instead ([`latency`]): an open-loop push at 10%, 50%
//!   and 90% of raw's maximum push rate (measured first), p50, p99 and p99.9 per side;
//! - with `--fanout`, fan-out instead ([`fanout`]): raw's sustainable broadcast rate to
//!   `--sessions` clients (default 10 000, in child processes: [`crowd`]), then an
//!   open-loop broadcast at 10%, 50% and 90% of it, raw and `ReliableServer::broadcast`,
//!   delivered rate and latency stamped on `CLOCK_MONOTONIC` ([`mono`]);
//! - with `--connections N`, connections instead ([`connections`]): one server process
//!   holding N connections from client processes bound to addresses across 127.0.0.0/8
//!   ([`source`]): RSS per connection, time to connect, idle CPU per second;
//! - with `--store`, the session stores instead ([`store`]): the push with a flush every
//!   256 messages over raw, then over ReliableServer without a store, with `MemoryStore`,
//!   redb (fsync and OS cache) and Redis (a `redis-server` the run starts), each flush a
//!   durable send; then a resume storm per durable store: `--storm-clients` clients (1000)
//!   on a node killed with SIGKILL and replaced, the time until each session resumed;
//! - server memory per idle connection ([`idle`]): the server runs in a child process (this
//!   binary's `serve` subcommand), the parent opens N idle connections, and the child's
//!   resident set before and after gives the bytes per connection, transport included.
//!
//! The logic is unit-tested: arguments ([`args`]), payload checks ([`payload`]), `/proc`
//! figures (`ws_soak::memory`), the open-file limit ([`limits`]) and the report ([`report`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod args;
pub mod connections;
pub mod cpu;
pub mod crowd;
mod error;
pub mod fanout;
pub mod idle;
pub mod latency;
pub mod limits;
pub mod mono;
pub mod payload;
pub mod push;
pub mod report;
pub mod run;
pub mod source;
pub mod store;
#[cfg(feature = "trace")]
pub mod trace;
pub mod upload;
pub mod workers;

pub use error::BenchError;
