//! End-to-end tests of ws-reliability over real sockets: the tests live in `tests/tests/`.
//!
//! This crate is a `publish = false` workspace member so that cargo compiles them (a bare
//! top-level `tests/` folder in a virtual workspace is never built).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
