//! What the server runs beside the data path: the application's state callbacks on every
//! open and resume (feature `sync`).

use super::SessionServer;
use crate::protocol::SessionId;

impl SessionServer {
    /// Runs the state callbacks for `session` on their own task; a failure is an event.
    #[cfg(feature = "sync")]
    pub(crate) fn start_sync(&self, session: SessionId, resumed: bool) {
        if !self.inner.config.rollout.enabled_for(crate::rollout::Fix::Sync, &session) {
            return;
        }
        if let Some(sync) = self.inner.config.hooks.sync.clone() {
            let server = self.clone();
            let context = crate::SessionSync { session, resumed };
            tokio::spawn(async move { server.report_sync(&sync, context).await });
        }
    }

    #[cfg(feature = "sync")]
    async fn report_sync(
        &self,
        sync: &ws_sync::Synchronizer<crate::SessionSync>,
        context: crate::SessionSync,
    ) {
        let failure = crate::state_sync::run(sync, context).await;
        self.inner.config.rollout.record(crate::rollout::Fix::Sync, failure.is_none());
        if let Some(failure) = failure {
            self.emit(super::SessionEvent::SyncFailed(failure));
        }
    }

    /// Without the `sync` feature there are no state callbacks.
    #[cfg(not(feature = "sync"))]
    pub(crate) fn start_sync(&self, _session: SessionId, _resumed: bool) {}
}
