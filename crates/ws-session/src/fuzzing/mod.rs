//! The properties the fuzz targets of `fuzz/` check, shared with the corpus replay test
//! (ws-reliability's `tests/fuzz_corpus.rs`) so both run the same checks: behind the
//! `fuzzing` feature, not for applications; ws-reliability re-exports them as
//! `ws_reliability::fuzzing`.
//!
//! Each check takes any bytes and returns [`Broken`] when a property fails; a fuzz target
//! panics on it (how libFuzzer reports), the replay test lists it. Malformed input is not a
//! failure: it must come back as a typed [`ProtocolError`], never as a panic.
//!
//! | target | input | properties |
//! |--------|-------|------------|
//! | `frame` | one binary message | decode is `Ok` or a 1002 error; `encode(decode(x)) == x`; `from_message` refuses (1009) exactly what passes the limits, with the default and with tiny limits |
//! | `batch` | a BATCH body (the `08` byte added) | as `frame`, and: at least one entry, consecutive numbers from `first` ≥ 1 without overflow, at most one entry per 2 bytes |
//! | `hello` | a HELLO body (the `01` byte added) | as `frame`, and the server's HELLO check (`Hello::from_first_message`) answers the frame or the close code of its error |
//! | `reader` | a config byte, then messages of `len u8, bytes` | the link's reader delivers, acks and closes exactly as a model of § 5 and § 6 does |

mod frame;

use crate::protocol::ProtocolError;

pub use crate::link::fuzzing::reader;
pub use frame::{batch, frame, hello};

/// A property a check found broken, with what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken(pub String);

/// The outcome of a check.
pub type Checked = Result<(), Broken>;

/// A check over arbitrary bytes.
pub type Check = fn(&[u8]) -> Checked;

/// Every target, by the name of its directory under `fuzz/corpus/` and `fuzz/regressions/`.
pub const TARGETS: [(&str, Check); 4] =
    [("frame", frame), ("batch", batch), ("hello", hello), ("reader", reader)];

/// `Ok` when `holds`, else [`Broken`] with the description `what` gives.
pub(crate) fn ensure(holds: bool, what: impl FnOnce() -> String) -> Checked {
    holds.then_some(()).ok_or_else(|| Broken(what()))
}

/// A decode error must close with 1002 (a malformed frame) and never name a limit.
pub(crate) fn malformed(error: &ProtocolError) -> Checked {
    let code = error.close_code();
    ensure(code == crate::protocol::CloseCode::ProtocolError, || format!("{error:?} → {code:?}"))
}
