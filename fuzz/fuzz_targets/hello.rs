//! Fuzz target `hello`: the body of a HELLO frame: the frame checks and the server's first-message check (`Hello::from_first_message`) agreeing with the codec. The check is `ws_reliability::fuzzing::hello`, which
//! `crates/ws-reliability/tests/fuzz_corpus.rs` also runs over the committed corpus.
#![no_main]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A broken property panics: that is how libFuzzer reports a finding.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Err(broken) = ws_reliability::fuzzing::hello(bytes) {
        panic!("property broken: {}", broken.0);
    }
});
