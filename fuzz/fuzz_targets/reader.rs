//! Fuzz target `reader`: a config byte and a sequence of messages read by a link: delivered, acked and closed exactly as the model of docs/protocol.md § 5 and § 6. The check is `ws_reliability::fuzzing::reader`, which
//! `crates/ws-reliability/tests/fuzz_corpus.rs` also runs over the committed corpus.
#![no_main]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A broken property panics: that is how libFuzzer reports a finding.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Err(broken) = ws_reliability::fuzzing::reader(bytes) {
        panic!("property broken: {}", broken.0);
    }
});
