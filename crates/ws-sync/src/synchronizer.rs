//! The synchronizer: registered callbacks, run concurrently on every sync, judged together.

use crate::builder::SynchronizerBuilder;
use crate::callback::Callback;
use crate::error::SyncError;
use crate::events::{Notifier, SyncEvent};
use crate::metrics;
use crate::report::{critical_failures, verdict_of, CallbackReport, Failure, SyncReport};
use crate::run::run_callback;
use crate::state::{StateCell, SyncState, Transition};
use futures::future::join_all;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;
use tracing::Instrument;

/// Runs the application's state callbacks concurrently and inspects every outcome.
///
/// Cheap to clone (clones share everything); syncs may run from many tasks at once.
pub struct Synchronizer<S> {
    inner: Arc<Inner<S>>,
}

struct Inner<S> {
    name: Arc<str>,
    default_timeout: Option<Duration>,
    callbacks: Mutex<Arc<[Callback<S>]>>,
    state: StateCell,
    notifier: Notifier,
}

impl<S: Send + Sync + 'static> Synchronizer<S> {
    /// A synchronizer with default settings and this name.
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        Self::builder().name(name).build()
    }

    /// A builder to set the name, default timeout, failure handler and event capacity.
    pub fn builder() -> SynchronizerBuilder<S> {
        SynchronizerBuilder::new()
    }

    pub(crate) fn from_parts(config: SynchronizerBuilder<S>, notifier: Notifier) -> Self {
        let name = config.name;
        let default_timeout = config.default_timeout;
        let callbacks = Mutex::new(Arc::from(Vec::new()));
        let state = StateCell::default();
        metrics::publish_state(&name, Transition::initial());
        Synchronizer {
            inner: Arc::new(Inner { name, default_timeout, callbacks, state, notifier }),
        }
    }

    /// Registers a callback; it runs in every sync that starts from now on. Names are unique.
    pub fn register(&self, callback: Callback<S>) -> Result<(), SyncError> {
        let mut callbacks = self.inner.callbacks.lock().unwrap_or_else(PoisonError::into_inner);
        if callbacks.iter().any(|known| known.name() == callback.name()) {
            return Err(SyncError::DuplicateName { name: callback.name().clone() });
        }
        *callbacks = callbacks.iter().cloned().chain([callback]).collect();
        Ok(())
    }

    /// Runs every registered callback once, concurrently, with `state`, waits for all of
    /// them and judges the outcomes; see the crate docs for the rules.
    pub async fn sync(&self, state: impl Into<Arc<S>>) -> Result<SyncReport, SyncError> {
        let span = tracing::info_span!("ws_sync.sync", synchronizer = %self.inner.name);
        self.inner.sync(state.into()).instrument(span).await
    }

    /// Leaves the error state for `Healthy` so syncs run again. Returns the failures that
    /// caused the error, or `None` (and changes nothing) when the synchronizer was not in it.
    pub fn recover(&self) -> Option<Arc<[Failure]>> {
        let span = tracing::info_span!("ws_sync.recover", synchronizer = %self.inner.name);
        span.in_scope(|| self.inner.recover())
    }

    /// The current state: what a health check reads.
    pub fn state(&self) -> SyncState {
        self.inner.state.get()
    }

    /// A stream of every failure and state change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.inner.notifier.subscribe()
    }

    /// The synchronizer's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The registered callbacks, in registration order.
    pub fn callbacks(&self) -> Arc<[Callback<S>]> {
        self.inner.snapshot()
    }
}

impl<S: Send + Sync + 'static> Inner<S> {
    async fn sync(&self, state: Arc<S>) -> Result<SyncReport, SyncError> {
        let callbacks = self.admit()?;
        let started = Instant::now();
        let runs = callbacks
            .iter()
            .map(|callback| run_callback(callback, state.clone(), self.default_timeout));
        let runs = join_all(runs).await;
        self.conclude(runs, started.elapsed())
    }

    /// Admits a sync unless the synchronizer is in the error state; the callbacks to run.
    fn admit(&self) -> Result<Arc<[Callback<S>]>, SyncError> {
        if let Err(refused) = self.state.admit() {
            metrics::record_refused(&self.name);
            tracing::warn!("sync refused: synchronizer is in the error state");
            return Err(refused);
        }
        let callbacks = self.snapshot();
        tracing::debug!(callbacks = callbacks.len(), "sync started");
        Ok(callbacks)
    }

    /// Records every run, hands every failure on, applies the verdict atomically.
    fn conclude(
        &self,
        runs: Vec<CallbackReport>,
        duration: Duration,
    ) -> Result<SyncReport, SyncError> {
        runs.iter().for_each(|run| self.observe(run));
        let (verdict, state) = self.settle(&runs);
        metrics::record_sync(&self.name, verdict, duration);
        tracing::info!(verdict = verdict.as_str(), state = state.as_str(), "sync finished");
        SyncReport::new(runs, duration, state).into_result()
    }

    /// Applies the runs' verdict to the state; returns the verdict and the new state.
    fn settle(&self, runs: &[CallbackReport]) -> (SyncState, SyncState) {
        let verdict = verdict_of(runs);
        let publish = |change| self.publish(change);
        (verdict, self.state.settle(verdict, || critical_failures(runs), publish))
    }

    fn observe(&self, run: &CallbackReport) {
        metrics::record_callback(&self.name, run);
        if let Some(failure) = run.failure() {
            self.notifier.failure(&failure);
        }
    }

    fn publish(&self, transition: Transition) {
        metrics::publish_state(&self.name, transition);
        self.notifier.transition(transition);
    }

    fn recover(&self) -> Option<Arc<[Failure]>> {
        let cause = self.state.recover(|change| self.publish(change));
        if cause.is_some() {
            metrics::record_recovery(&self.name);
            tracing::info!("recovered from the error state");
        }
        cause
    }

    fn snapshot(&self) -> Arc<[Callback<S>]> {
        self.callbacks.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl<S> Clone for Synchronizer<S> {
    fn clone(&self) -> Self {
        Synchronizer { inner: self.inner.clone() }
    }
}

impl<S> std::fmt::Debug for Synchronizer<S> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.inner.state.get();
        formatter
            .debug_struct("Synchronizer")
            .field("name", &self.inner.name)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
