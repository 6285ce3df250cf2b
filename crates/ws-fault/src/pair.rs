//! [`Pair`]: ties the two wrapped ends of one connection when both live in one process
//! (a soak, a test), so that once either end is over, neither draws another fault.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared by the two ends of one connection
/// ([`FaultInjector::wrap_paired`](super::FaultInjector::wrap_paired)).
///
/// An end is over when it is killed, dropped, starts or sees a close, reads an EOF or an
/// error, or its close failed. From then on the other end draws no fault either: a fault on
/// a connection already ending (say, a kill on the server's end while the client's end was
/// just killed) could not be noticed by anything. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Pair {
    over: Arc<AtomicBool>,
}

impl Pair {
    /// A fresh pair: neither end over.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether either end is over.
    pub fn is_over(&self) -> bool {
        self.over.load(Ordering::Acquire)
    }

    /// Marks the connection over.
    pub(super) fn end(&self) {
        self.over.store(true, Ordering::Release);
    }
}
