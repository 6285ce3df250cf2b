//! The properties the fuzz targets of `fuzz/` check, shared with the corpus replay test
//! (`tests/fuzz_corpus.rs`): ws-session's `fuzzing` module (frame, BATCH and HELLO codec
//! checks; the link's reader against a model), behind the `fuzzing` feature, not for
//! applications.

pub use ws_session::fuzzing::{batch, frame, hello, reader, Broken, Check, Checked, TARGETS};
