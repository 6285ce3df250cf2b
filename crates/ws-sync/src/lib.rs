//! State synchronizer: callbacks run concurrently and every outcome is inspected.
#![doc = include_str!("../docs/crate.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod callback;
mod error;
mod events;
pub mod metrics;
mod report;
mod run;
mod state;
mod synchronizer;

pub use builder::{SynchronizerBuilder, DEFAULT_EVENT_CAPACITY, DEFAULT_NAME, DEFAULT_TIMEOUT};
pub use callback::{Callback, SyncCallback};
pub use error::{BoxError, CallbackError, SharedError, SyncError};
pub use events::{FailureHandler, SyncEvent};
pub use report::{CallbackReport, Failure, Outcome, SyncReport};
pub use state::{SyncState, Transition};
pub use synchronizer::Synchronizer;
pub use ws_core::Criticality;
