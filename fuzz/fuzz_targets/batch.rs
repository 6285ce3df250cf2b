//! Fuzz target `batch`: the body of a BATCH frame: the frame checks and a decoded batch's shape (entries, numbering, one entry per two bytes at most). The check is `ws_reliability::fuzzing::batch`, which
//! `crates/ws-reliability/tests/fuzz_corpus.rs` also runs over the committed corpus.
#![no_main]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A broken property panics: that is how libFuzzer reports a finding.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Err(broken) = ws_reliability::fuzzing::batch(bytes) {
        panic!("property broken: {}", broken.0);
    }
});
