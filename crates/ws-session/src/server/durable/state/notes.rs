//! [`Notes`]: a stored session as its links see it (`link::WriteAhead`).

use super::DurableSession;
use crate::session_link::WriteAhead;
use std::sync::Arc;

/// A stored session as its links see it.
#[derive(Debug)]
pub(crate) struct Notes(pub(crate) Arc<DurableSession>);

impl WriteAhead for Notes {
    fn acked(&self, seq: u64) {
        self.0.acked(seq);
    }

    fn consumed(&self, seq: u64) {
        self.0.consumed(seq);
    }

    fn ackable(&self) -> u64 {
        self.0.ackable()
    }
}
