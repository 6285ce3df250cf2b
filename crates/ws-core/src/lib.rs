//! Vocabulary shared by the ws-reliability fix crates.
//!
//! Two crates or more need the same words, so they live here once:
//!
//! - [`Backoff`]: capped exponential backoff with jitter, used by `ws-batch` (retrying a
//!   failed flush) and `ws-reconnect` (retrying a connect). The random source is a
//!   [`JitterRng`] the caller can seed, so tests are deterministic.
//! - [`Criticality`]: how much a failing callback or check matters, used by `ws-sync`,
//!   `ws-reconnect` and `ws-monitor`.
//! - [`capped_delay`]: a configured duration made safe to add to an `Instant` (a
//!   `Duration::MAX` meaning "never" would overflow), used by `ws-conn`, `ws-reconnect` and
//!   `ws-monitor` for their intervals and deadlines.
//! - [`panic_message`]: the text of a caught panic, used by `ws-sync`, `ws-reconnect` and
//!   `ws-monitor`, which catch the panics of callbacks and checks and report them.
//!
//! ```
//! use std::time::Duration;
//! use ws_core::{Backoff, JitterRng};
//!
//! let backoff = Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(10));
//! let mut rng = JitterRng::seeded(7);
//! let delay = backoff.delay(3, &mut rng);
//! assert!(delay <= Duration::from_millis(800));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backoff;
mod criticality;
mod delay;
mod panic;
pub mod sequence;

pub use backoff::{Backoff, Jitter, JitterRng};
pub use criticality::Criticality;
pub use delay::{capped_delay, FAR_FUTURE};
pub use panic::panic_message;
