//! The synchronizer's configuration: name, default timeout, failure handler, event capacity.

use crate::events::{FailureHandler, Notifier};
use crate::report::Failure;
use crate::synchronizer::Synchronizer;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// The default name, used as the `synchronizer` metric label.
pub const DEFAULT_NAME: &str = "default";
/// The default timeout of a callback that has none of its own: long enough for a slow
/// database round trip, short enough that a hung callback cannot hold a connect forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default capacity of the event stream; a subscriber further behind than this misses
/// the oldest events (and is told so by `RecvError::Lagged`).
pub const DEFAULT_EVENT_CAPACITY: usize = 256;

/// Builds a [`Synchronizer`]; every setting has a default.
pub struct SynchronizerBuilder<S> {
    pub(crate) name: Arc<str>,
    pub(crate) default_timeout: Option<Duration>,
    pub(crate) event_capacity: usize,
    pub(crate) handler: Option<FailureHandler>,
    state: PhantomData<fn(S)>,
}

impl<S: Send + Sync + 'static> SynchronizerBuilder<S> {
    pub(crate) fn new() -> Self {
        SynchronizerBuilder {
            name: DEFAULT_NAME.into(),
            default_timeout: Some(DEFAULT_TIMEOUT),
            event_capacity: DEFAULT_EVENT_CAPACITY,
            handler: None,
            state: PhantomData,
        }
    }

    /// Names the synchronizer (the `synchronizer` label of its metrics and its span field).
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = name.into();
        self
    }

    /// The timeout of callbacks registered without one; `None` lets them run unbounded.
    pub fn default_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// How many events the event stream buffers per subscriber (at least 1).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity;
        self
    }

    /// Calls `handler` with every failure, in the task that runs the sync, before the sync
    /// returns. A panic in the handler is caught and counted.
    pub fn on_failure(mut self, handler: impl Fn(&Failure) + Send + Sync + 'static) -> Self {
        self.handler = Some(Arc::new(handler));
        self
    }

    /// Builds the synchronizer, in `Healthy`, with no callbacks.
    pub fn build(self) -> Synchronizer<S> {
        let notifier = Notifier::new(self.name.clone(), self.event_capacity, self.handler.clone());
        Synchronizer::from_parts(self, notifier)
    }
}
