//! Closing a connection gracefully, failing it, and forcing it out of the registry.

use super::Registry;
use crate::entry::Entry;
use crate::TransportError;
use crate::{metrics, CloseFrame, ConnError, ConnEvent, ConnId, ConnState, FailCause, ForceCause};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::error::Elapsed;
use tracing::Instrument;

impl Registry {
    /// Closes `id` gracefully: `Active → Closing`, sends `frame`, and waits for the peer
    /// under the close timeout. On success the connection is `Closed`, released and
    /// removed; on an error or a timeout it is `Failed` (and the error returned) until the
    /// sweeper removes it, unless it was force-closed meanwhile (`CloseInterrupted`: already
    /// removed). An illegal transition (already closing, failed) changes nothing.
    pub async fn close(&self, id: ConnId, frame: CloseFrame) -> Result<(), ConnError> {
        let entry = self.entry(id)?;
        let span = tracing::info_span!("ws_conn.close", conn = %id, code = frame.code.as_u16());
        self.close_entry(&entry, frame).instrument(span).await
    }

    pub(super) async fn close_entry(
        &self,
        entry: &Arc<Entry>,
        frame: CloseFrame,
    ) -> Result<(), ConnError> {
        entry.begin_close(self.inner.epoch)?;
        let timeout = self.inner.config.close_timeout;
        let sent = tokio::time::timeout(timeout, entry.conn.close(frame)).await;
        match close_outcome(entry.id, timeout, sent) {
            Ok(()) => self.finish_close(entry),
            Err(error) => Err(self.close_failed(entry, interrupted_or(entry, error))),
        }
    }

    fn finish_close(&self, entry: &Entry) -> Result<(), ConnError> {
        self.finalize(entry, ConnState::Closing)?;
        entry.release();
        metrics::closed();
        tracing::debug!(conn = %entry.id, "closed");
        self.emit(ConnEvent::Closed { id: entry.id });
        Ok(())
    }

    fn close_failed(&self, entry: &Entry, error: ConnError) -> ConnError {
        let (reason, cause) = failure_of(&error);
        metrics::close_failed(reason);
        tracing::warn!(conn = %entry.id, %error, "close failed");
        if let Some(cause) = cause {
            // Only a racer that moved it since (a force-close, the sweeper) makes this fail;
            // the close's own failure is counted above and returned.
            let _moved_by_a_racer = self.fail(entry, cause);
        }
        error
    }

    /// Reports `id` broken (its stream errored, say): `Active` or `Closing` → `Failed`;
    /// the sweeper releases and removes it.
    pub fn mark_failed(&self, id: ConnId) -> Result<(), ConnError> {
        self.fail(&*self.entry(id)?, FailCause::Reported)
    }

    /// `Active` or `Closing` → `Failed`, announced under the map lock so that subscribers
    /// see a connection's events in the order its transitions happened.
    pub(super) fn fail(&self, entry: &Entry, cause: FailCause) -> Result<(), ConnError> {
        let _in_order = self.entries();
        entry.transition(ConnState::Failed)?;
        self.emit(ConnEvent::Failed { id: entry.id, cause });
        Ok(())
    }

    /// Releases `id` now without waiting for the peer and removes it. `NotFound` if it
    /// already left; an `IllegalTransition` if another closer won the race.
    pub fn force_close(&self, id: ConnId) -> Result<(), ConnError> {
        self.force(&*self.entry(id)?, ForceCause::Requested)
    }

    /// Any state → `Failed` → `Closed`, release, remove. Of racing forcers and closers
    /// exactly one reaches `Closed`; the others get the illegal transition.
    pub(super) fn force(&self, entry: &Entry, cause: ForceCause) -> Result<(), ConnError> {
        let _already_failed_or_gone = entry.transition(ConnState::Failed);
        self.finalize(entry, ConnState::Failed)?;
        entry.release();
        metrics::force_closed(cause);
        tracing::info!(conn = %entry.id, cause = cause.as_str(), "force-closed");
        self.emit(ConnEvent::ForceClosed { id: entry.id, cause });
        Ok(())
    }
}

/// A close that ended in an error (or its timeout) on a connection a racer force-closed
/// meanwhile (`Closed`: released and removed; the tokio-tungstenite adapter then reports
/// "released before the peer answered") was interrupted, not failed by its transport.
fn interrupted_or(entry: &Entry, error: ConnError) -> ConnError {
    match entry.state() {
        ConnState::Closed => ConnError::CloseInterrupted { id: entry.id },
        _ => error,
    }
}

/// The `reason` label of a failed close and the cause of its `Failed` event (none for an
/// interrupted close: it is already removed).
fn failure_of(error: &ConnError) -> (&'static str, Option<FailCause>) {
    match error {
        ConnError::CloseTimedOut { .. } => ("timeout", Some(FailCause::CloseTimeout)),
        ConnError::CloseInterrupted { .. } => ("interrupted", None),
        _ => ("error", Some(FailCause::CloseError)),
    }
}

/// A close's result: sent and answered, failed, or timed out.
fn close_outcome(
    id: ConnId,
    timeout: Duration,
    sent: Result<Result<(), TransportError>, Elapsed>,
) -> Result<(), ConnError> {
    let answered = sent.map_err(|_| ConnError::CloseTimedOut { id, timeout })?;
    answered.map_err(|source| ConnError::CloseFailed { id, source })
}
