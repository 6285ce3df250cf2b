//! Fuzz target `frame`: any bytes as one binary wsr.v1 message: decoded or refused with a typed error, re-encoded to the same bytes, refused by size exactly past the limits. The check is `ws_reliability::fuzzing::frame`, which
//! `crates/ws-reliability/tests/fuzz_corpus.rs` also runs over the committed corpus.
#![no_main]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A broken property panics: that is how libFuzzer reports a finding.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Err(broken) = ws_reliability::fuzzing::frame(bytes) {
        panic!("property broken: {}", broken.0);
    }
});
