//! The application's state callbacks (ws-sync), run on every session open and resume, on
//! the server and on the client. A failure is an event and a metric, never only a log.

use crate::protocol::SessionId;
use ws_sync::Synchronizer;

/// What a state callback learns about the session it runs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSync {
    /// The session.
    pub session: SessionId,
    /// `false` on a fresh session, `true` on a resume.
    pub resumed: bool,
}

/// How a sync that did not come out clean failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncFailure {
    /// The session the sync ran for.
    pub session: SessionId,
    /// Whether a critical callback failed (or the synchronizer refused to run).
    pub critical: bool,
    /// What failed, in words.
    pub error: String,
}

/// Runs every callback for `context`; `None` when the sync came out clean.
pub(crate) async fn run(
    sync: &Synchronizer<SessionSync>,
    context: SessionSync,
) -> Option<SyncFailure> {
    let session = context.session;
    let failure = match sync.sync(context).await {
        Ok(report) if report.is_clean() => return None,
        Ok(report) => SyncFailure { session, critical: false, error: names(&report) },
        Err(error) => SyncFailure { session, critical: true, error: error.to_string() },
    };
    crate::metrics::sync_failed(failure.critical);
    Some(failure)
}

fn names(report: &ws_sync::SyncReport) -> String {
    let failed: Vec<String> = report.warning_names().iter().map(ToString::to_string).collect();
    format!("warning callbacks failed: {}", failed.join(", "))
}
