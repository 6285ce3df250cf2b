//! Errors: why a callback failed ([`CallbackError`]) and why a sync failed ([`SyncError`]).

use crate::report::{Failure, SyncReport};
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

/// The error a callback returns, boxed so any error type fits.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// A callback's error, shared: the same failure goes to the caller, the failure handler and
/// every event subscriber.
pub type SharedError = Arc<dyn Error + Send + Sync + 'static>;

/// Why one callback of a sync failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The callback ran to completion and returned an error.
    #[error("callback returned an error")]
    Failed(#[source] SharedError),
    /// The callback panicked; the panic was caught and the other callbacks went on.
    #[error("callback panicked: {message}")]
    Panicked {
        /// The panic payload when it was a string, otherwise a placeholder.
        message: String,
    },
    /// The callback did not finish within its timeout and was dropped.
    #[error("callback timed out after {after:?}")]
    TimedOut {
        /// The timeout that elapsed.
        after: Duration,
    },
}

impl CallbackError {
    /// Wraps an error a callback returned.
    pub fn failed(error: impl Into<BoxError>) -> Self {
        CallbackError::Failed(Arc::from(error.into()))
    }
}

/// Why a sync did not complete cleanly, or why it was not run at all.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// At least one critical callback failed. The report holds every callback's outcome, so
    /// every failure (critical and warning) is here, not only the first.
    #[error("critical callback failure in sync: {}", report.critical_names().join(", "))]
    CriticalFailure {
        /// The full report of the sync that failed.
        report: SyncReport,
    },
    /// The synchronizer is in the error state; syncs are refused until
    /// [`Synchronizer::recover`](crate::Synchronizer::recover) is called.
    #[error("sync refused: the synchronizer is in the error state until recover() is called")]
    Refused {
        /// The critical failures that put the synchronizer in the error state.
        cause: Arc<[Failure]>,
    },
    /// A callback with this name is already registered; names label metrics, so they are
    /// unique.
    #[error("a callback named {name:?} is already registered")]
    DuplicateName {
        /// The name that was rejected.
        name: Arc<str>,
    },
}

impl SyncError {
    /// Every failure this error carries: all failures of a failed sync, or the cause of a
    /// refusal.
    pub fn failures(&self) -> Vec<Failure> {
        match self {
            SyncError::CriticalFailure { report } => report.failures(),
            SyncError::Refused { cause } => cause.to_vec(),
            SyncError::DuplicateName { .. } => Vec::new(),
        }
    }
}
