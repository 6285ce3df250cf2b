//! Transactional outbox: a message leaves the queue only once its send is confirmed.
#![doc = include_str!("docs/crate.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
mod config;
mod dead_letter;
mod encoder;
mod entry;
mod error;
mod flusher;
mod meter;
pub mod metrics;
mod outbox;
mod pushed;
mod queue;
mod retry;
mod state;
mod stats;
mod transport;

pub use config::{Confirmation, OnAckTimeout, OutboxConfig};
pub use dead_letter::{DeadLetter, DeadLetterHandler};
pub use encoder::{Encoder, PerMessage};
pub use entry::{EntryInfo, EntryState, MessageSize};
pub use error::{OutboxError, SendFailure};
pub use flusher::Flusher;
pub use meter::ByteMeter;
pub use outbox::{FlushReport, Outbox};
pub use pushed::Pushed;
pub use stats::OutboxStats;
pub use ws_core::{Backoff, Jitter, JitterRng};
