//! `ws-attack`: the hostile-client harness behind `cargo xtask attack`.
//!
//! The same binary runs twice: `ws-attack serve` is the server, a
//! [`ReliableServer`](ws_reliability::server::ReliableServer) with `ServerConfig::default()`
//! (only `incoming.mode = Shared`: a hub that broadcasts 64 B every 5 ms to every session and
//! echoes the bystander's pings) in a child process whose soft open-file limit is lowered to
//! 1 024; `ws-attack` (the parent) runs the attacks against it on loopback for a bounded
//! time ([`attacks`]), reads the child's peak resident set from `/proc/<pid>/status`
//! ([`child`]) and its panics from its stderr, and builds the [`Report`](report::Report)
//! whose checks decide the exit status.
//!
//! The logic is unit-tested: durations and minimums ([`args`]), the schedule ([`attacks`]),
//! `/proc` fields ([`child`]), close-code tallies ([`tally`]), percentiles and checks
//! ([`report`]), frames ([`frames`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod args;
pub mod attacks;
pub mod bystander;
pub mod child;
pub mod frames;
pub mod net;
pub mod report;
pub mod run;
pub mod serve;
pub mod tally;
