//! [`FaultError`]: a fault configuration that cannot be used; [`Injected`]: the payload of
//! the `io::Error` an injected failure returns, naming the fault.

use super::kind::FaultKind;
use std::io;

/// A [`FaultConfig`](super::FaultConfig) was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultError {
    /// A rate was not a number within `0.0..=1.0`.
    #[error("{kind} rate {rate} is outside 0.0..=1.0")]
    InvalidRate {
        /// The fault whose rate is wrong.
        kind: FaultKind,
        /// The rejected rate.
        rate: f64,
    },
}

/// What an injected failure's `io::Error` carries: the fault that caused it, so a harness
/// can tell an injected failure from a real one wherever the error surfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} by fault injection", .0.failure())]
pub struct Injected(pub FaultKind);

impl Injected {
    /// The `io::Error` of this fault, of kind `kind`.
    pub(super) fn error(self, kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, self)
    }

    /// The injected fault behind `error`, if one is.
    pub fn cause_of(error: &io::Error) -> Option<FaultKind> {
        error.get_ref()?.downcast_ref::<Injected>().map(|injected| injected.0)
    }
}
