//! [`FaultError`]: a fault configuration that cannot be used.

use super::kind::FaultKind;

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
