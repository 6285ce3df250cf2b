//! [`InFlight`]: a batch on its way to the transport, settled exactly once.

use super::{FlushReport, Outbox};
use crate::error::{OutboxError, SendFailure};
use crate::queue::Batch;
use std::time::Duration;
use tokio::time::Instant;

/// A batch on its way: settled as failed (`Cancelled`) if the flush is dropped midway, so no
/// message is left `Sending` forever.
pub(super) struct InFlight<'a, M> {
    pub(super) outbox: &'a Outbox<M>,
    pub(super) batch: Batch,
    pub(super) armed: bool,
}

impl<M> InFlight<'_, M> {
    pub(super) fn settle(
        mut self,
        sent: Result<(), SendFailure>,
        ended: Instant,
        elapsed: Duration,
    ) -> Result<FlushReport, OutboxError<M>> {
        self.armed = false;
        match sent {
            Ok(()) => Ok(self.outbox.settle_sent(self.batch, ended, elapsed)),
            Err(failure) => {
                Err(OutboxError::Flush(self.outbox.settle_failed(self.batch, failure, elapsed)))
            }
        }
    }
}

impl<M> Drop for InFlight<'_, M> {
    fn drop(&mut self) {
        if self.armed {
            self.outbox.settle_failed(self.batch, SendFailure::Cancelled, Duration::ZERO);
        }
    }
}
