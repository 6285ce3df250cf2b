//! The property check of the link's reader, behind the `fuzzing` feature, not for
//! applications: `ws-reliability`'s `fuzzing` module runs it beside its frame checks (the
//! fuzz target `reader` and the corpus replay test).

pub use crate::link::fuzzing::reader;

/// A property a check found broken, with what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken(pub String);

/// The outcome of a check.
pub type Checked = Result<(), Broken>;

/// `Ok` when `holds`, else [`Broken`] with the description `what` gives.
pub fn ensure(holds: bool, what: impl FnOnce() -> String) -> Checked {
    holds.then_some(()).ok_or_else(|| Broken(what()))
}
