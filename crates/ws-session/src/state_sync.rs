//! The application's state callbacks (ws-sync), run on every session open and resume, on
//! the server and on the client ([`StateSync`], one per end). A failure is an event and a
//! metric, never only a log. Without the feature `sync` a [`StateSync`] runs nothing.

use crate::protocol::SessionId;
#[cfg(feature = "sync")]
use crate::rollout::Fix;
use crate::rollout::Rollout;
use tokio::sync::broadcast::Sender;
#[cfg(feature = "sync")]
use ws_sync::Synchronizer;

/// What a state callback learns about the session it runs for.
#[cfg(feature = "sync")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSync {
    /// The session.
    pub session: SessionId,
    /// `false` on a fresh session, `true` on a resume.
    pub resumed: bool,
}

/// How a sync that did not come out clean failed.
#[cfg(feature = "sync")]
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

/// The state callbacks of one end, server or client: whether they run for a session (the
/// `sync` switch, decided per session), and where their outcome goes (the switch's
/// rollback guard, and a failure as the end's own event, `SyncFailed`).
#[cfg(feature = "sync")]
#[derive(Debug, Clone)]
pub(crate) struct StateSync<E> {
    sync: Option<Synchronizer<SessionSync>>,
    rollout: Rollout,
    events: Sender<E>,
}

/// An end's event type, which has a variant for a failed sync.
#[cfg(feature = "sync")]
pub(crate) trait SyncEvent: Clone + Send + 'static {
    /// The `SyncFailed` event of `failure`.
    fn sync_failed(failure: SyncFailure) -> Self;
}

#[cfg(feature = "sync")]
impl<E: SyncEvent> StateSync<E> {
    /// The callbacks of `hooks` under the `sync` switch of `rollout`, failures sent to
    /// `events`.
    pub(crate) fn new(hooks: &crate::Hooks, rollout: &Rollout, events: &Sender<E>) -> Self {
        let sync = hooks.sync.clone();
        StateSync { sync, rollout: rollout.clone(), events: events.clone() }
    }

    /// Runs the callbacks for `session` on their own task, when one is configured and the
    /// session has the `sync` fix; a failure is an event.
    pub(crate) fn start(&self, session: SessionId, resumed: bool) {
        let on = self.rollout.enabled_for(Fix::Sync, &session);
        let Some(sync) = self.sync.clone().filter(|_| on) else { return };
        let context = SessionSync { session, resumed };
        tokio::spawn(self.clone().report(sync, context));
    }

    /// Runs `sync` for `context`, feeds the outcome to the guard and sends a failure.
    async fn report(self, sync: Synchronizer<SessionSync>, context: SessionSync) {
        let failure = run(&sync, context).await;
        self.rollout.record(Fix::Sync, failure.is_none());
        if let Some(failure) = failure {
            let _no_subscriber_is_fine = self.events.send(E::sync_failed(failure));
        }
    }

    /// The configured callbacks, for a health check.
    #[cfg(feature = "monitor")]
    pub(crate) fn synchronizer(&self) -> Option<&Synchronizer<SessionSync>> {
        self.sync.as_ref()
    }
}

/// Without the `sync` feature an end has no state callbacks: nothing runs.
#[cfg(not(feature = "sync"))]
#[derive(Debug, Clone)]
pub(crate) struct StateSync<E>(std::marker::PhantomData<fn() -> E>);

#[cfg(not(feature = "sync"))]
impl<E> StateSync<E> {
    /// No callbacks.
    pub(crate) fn new(_hooks: &crate::Hooks, _rollout: &Rollout, _events: &Sender<E>) -> Self {
        StateSync(std::marker::PhantomData)
    }

    /// Nothing to run.
    pub(crate) fn start(&self, _session: SessionId, _resumed: bool) {}
}

/// Runs every callback for `context`; `None` when the sync came out clean.
#[cfg(feature = "sync")]
async fn run(sync: &Synchronizer<SessionSync>, context: SessionSync) -> Option<SyncFailure> {
    let session = context.session;
    let failure = match sync.sync(context).await {
        Ok(report) if report.is_clean() => return None,
        Ok(report) => SyncFailure { session, critical: false, error: names(&report) },
        Err(error) => SyncFailure { session, critical: true, error: error.to_string() },
    };
    crate::metrics::sync_failed(failure.critical);
    Some(failure)
}

#[cfg(feature = "sync")]
fn names(report: &ws_sync::SyncReport) -> String {
    let failed: Vec<String> = report.warning_names().iter().map(ToString::to_string).collect();
    format!("warning callbacks failed: {}", failed.join(", "))
}
