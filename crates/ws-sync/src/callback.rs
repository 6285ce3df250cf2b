//! A registered callback: a name, a criticality, an optional timeout and the async function.

use crate::error::BoxError;
use futures::future::BoxFuture;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use ws_core::Criticality;

/// An async function run on every sync with the application's state.
///
/// Implemented for every `Fn(Arc<S>) -> impl Future<Output = Result<(), BoxError>>`, so a
/// closure or an `async fn` taking `Arc<S>` is a callback.
pub trait SyncCallback<S>: Send + Sync + 'static {
    /// Starts one run of the callback.
    fn call(&self, state: Arc<S>) -> BoxFuture<'static, Result<(), BoxError>>;
}

impl<S, F, Fut> SyncCallback<S> for F
where
    F: Fn(Arc<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    fn call(&self, state: Arc<S>) -> BoxFuture<'static, Result<(), BoxError>> {
        Box::pin(self(state))
    }
}

/// A callback ready to register with a [`Synchronizer`](crate::Synchronizer).
pub struct Callback<S> {
    name: Arc<str>,
    criticality: Criticality,
    timeout: Option<Duration>,
    function: Arc<dyn SyncCallback<S>>,
}

impl<S> Callback<S> {
    /// A callback with this name and criticality; it runs under the synchronizer's default
    /// timeout unless [`Callback::timeout`] sets its own.
    pub fn new(
        name: impl Into<Arc<str>>,
        criticality: Criticality,
        function: impl SyncCallback<S>,
    ) -> Self {
        let name = name.into();
        let function = Arc::new(function);
        Callback { name, criticality, timeout: None, function }
    }

    /// A critical callback: its failure puts the synchronizer in `Error`.
    pub fn critical(name: impl Into<Arc<str>>, function: impl SyncCallback<S>) -> Self {
        Self::new(name, Criticality::Critical, function)
    }

    /// A warning callback: its failure leaves the synchronizer `Degraded`.
    pub fn warning(name: impl Into<Arc<str>>, function: impl SyncCallback<S>) -> Self {
        Self::new(name, Criticality::Warning, function)
    }

    /// Gives this callback its own timeout, overriding the synchronizer's default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The registered name (also the metric label).
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// How much a failure of this callback matters.
    pub fn criticality(&self) -> Criticality {
        self.criticality
    }

    /// The callback's own timeout, if it has one.
    pub fn own_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Starts one run; the call itself happens when the future is first polled, so a panic in
    /// the synchronous part is caught like any other.
    pub(crate) fn start(&self, state: Arc<S>) -> impl Future<Output = Result<(), BoxError>>
    where
        S: Send + Sync + 'static,
    {
        let function = self.function.clone();
        async move { function.call(state).await }
    }
}

impl<S> Clone for Callback<S> {
    fn clone(&self) -> Self {
        let name = self.name.clone();
        let function = self.function.clone();
        Callback { name, criticality: self.criticality, timeout: self.timeout, function }
    }
}

impl<S> fmt::Debug for Callback<S> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = formatter.debug_struct("Callback");
        debug.field("name", &self.name).field("criticality", &self.criticality);
        debug.field("timeout", &self.timeout).finish_non_exhaustive()
    }
}
