//! Callbacks: a name, a criticality, an optional fallback, and the context they receive.

use crate::breaker::BreakerConfig;
use crate::error::CallbackError;
use crate::event::DisconnectReason;
use futures::future::{BoxFuture, FutureExt};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};
use ws_core::Criticality;

/// Where a callback is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hook {
    /// After every successful connect, before the connection is declared connected.
    Connected,
    /// After a successful reconnect (not the first connect), after the on-connected ones.
    Reconnected,
    /// After a connection ended, before the next attempt is scheduled.
    Disconnected,
}

/// The boxed function behind a callback or a fallback.
pub(crate) type CallbackFn<C> =
    Arc<dyn Fn(HookContext<C>) -> BoxFuture<'static, Result<(), CallbackError>> + Send + Sync>;

/// What a callback receives: the hook, the attempt, and the fresh connection (on-connected
/// and on-reconnected) or the disconnect reason (on-disconnected).
pub struct HookContext<C> {
    hook: Hook,
    attempt: u32,
    connection: Arc<Mutex<Option<C>>>,
    reason: Option<DisconnectReason>,
}

impl<C> Clone for HookContext<C> {
    fn clone(&self) -> Self {
        let connection = Arc::clone(&self.connection);
        HookContext {
            hook: self.hook,
            attempt: self.attempt,
            connection,
            reason: self.reason.clone(),
        }
    }
}

impl<C> HookContext<C> {
    pub(crate) fn new(hook: Hook, attempt: u32, connection: Arc<Mutex<Option<C>>>) -> Self {
        HookContext { hook, attempt, connection, reason: None }
    }

    pub(crate) fn disconnected(attempt: u32, reason: DisconnectReason) -> Self {
        let connection = Arc::new(Mutex::new(None));
        HookContext { hook: Hook::Disconnected, attempt, connection, reason: Some(reason) }
    }

    /// The hook this callback runs in.
    pub fn hook(&self) -> Hook {
        self.hook
    }

    /// The attempt number (from 1 since the last healthy connection).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Why the connection ended (on-disconnected only).
    pub fn disconnect_reason(&self) -> Option<&DisconnectReason> {
        self.reason.as_ref()
    }

    /// The fresh connection, to run a handshake or resubscribe over it before it is declared
    /// connected; `None` in on-disconnected callbacks. Hold the guard only while you use it.
    pub async fn connection(&self) -> Option<MappedMutexGuard<'_, C>> {
        MutexGuard::try_map(self.connection.lock().await, Option::as_mut).ok()
    }
}

/// A callback registered with a name and a [`Criticality`], behind its own circuit breaker.
///
/// A failing `Critical` callback makes the connection unusable (the attempt fails) unless its
/// fallback succeeds; a failing `Warning` callback is reported and the connection goes on.
pub struct Callback<C> {
    pub(crate) name: Arc<str>,
    pub(crate) criticality: Criticality,
    pub(crate) run: CallbackFn<C>,
    pub(crate) fallback: Option<CallbackFn<C>>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) breaker: Option<BreakerConfig>,
}

impl<C> Callback<C> {
    /// A callback named `name` (a metric label: keep it short and fixed).
    pub fn new<F, Fut>(name: impl Into<Arc<str>>, criticality: Criticality, callback: F) -> Self
    where
        F: Fn(HookContext<C>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CallbackError>> + Send + 'static,
    {
        let name = name.into();
        let run = boxed(callback);
        Callback { name, criticality, run, fallback: None, timeout: None, breaker: None }
    }

    /// The same callback with a fallback, run when it fails or its breaker is open.
    pub fn with_fallback<F, Fut>(self, fallback: F) -> Self
    where
        F: Fn(HookContext<C>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CallbackError>> + Send + 'static,
    {
        Callback { fallback: Some(boxed(fallback)), ..self }
    }

    /// The same callback with its own timeout (default: the config's `callback_timeout`).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Callback { timeout: Some(timeout), ..self }
    }

    /// The same callback with its own breaker (default: the config's `breaker`).
    pub fn with_breaker(self, breaker: BreakerConfig) -> Self {
        Callback { breaker: Some(breaker), ..self }
    }

    /// The callback's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The callback's criticality.
    pub fn criticality(&self) -> Criticality {
        self.criticality
    }
}

fn boxed<C, F, Fut>(callback: F) -> CallbackFn<C>
where
    F: Fn(HookContext<C>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), CallbackError>> + Send + 'static,
{
    Arc::new(move |context| callback(context).boxed())
}
