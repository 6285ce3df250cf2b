//! The callbacks of each hook, and one run of a hook: every outcome assessed by criticality,
//! behind each callback's breaker, with its fallback.

use crate::breaker::{BreakerState, CircuitBreaker, Transition};
use crate::callback::{Callback, CallbackFn, Hook, HookContext};
use crate::config::CallbackDefaults;
use crate::event::{CallbackFailure, Event, EventBus};
use crate::metrics;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Every registered callback with its breaker, in registration order.
pub(crate) struct Hooks<C> {
    entries: Vec<(Hook, Registered<C>)>,
    events: EventBus,
    defaults: CallbackDefaults,
}

/// A callback, its breaker, and where its outcomes are reported.
struct Registered<C> {
    callback: Callback<C>,
    breaker: CircuitBreaker,
    timeout: Duration,
    events: EventBus,
}

impl<C> Drop for Registered<C> {
    /// A reconnector that ends takes its breaker out of the process-wide counts.
    fn drop(&mut self) {
        metrics::breakers(&self.callback.name, self.breaker.state(), -1.0);
    }
}

impl<C: Send + 'static> Hooks<C> {
    pub(crate) fn new(events: EventBus, defaults: CallbackDefaults) -> Self {
        Hooks { entries: Vec::new(), events, defaults }
    }

    pub(crate) fn register(&mut self, hook: Hook, callback: Callback<C>) {
        let breaker = CircuitBreaker::new(callback.breaker.unwrap_or(self.defaults.breaker));
        let timeout = callback.timeout.unwrap_or(self.defaults.timeout);
        metrics::breakers(&callback.name, breaker.state(), 1.0);
        let events = self.events.clone();
        self.entries.push((hook, Registered { callback, breaker, timeout, events }));
    }

    /// Runs the hook's callbacks in order. `Err` names the first critical callback that left
    /// the connection unusable; the connect hooks stop there, on-disconnected runs them all.
    pub(crate) async fn run(&mut self, context: HookContext<C>) -> Result<(), Arc<str>> {
        let hook = context.hook();
        let mut verdict = Ok(());
        let mut entries = self.entries.iter_mut().filter(|(registered, _)| *registered == hook);
        while let Some((_, entry)) = entries.next().filter(|_| goes_on(hook, &verdict)) {
            let usable = entry.run(context.clone()).await;
            verdict = verdict.and_then(|()| usable.then_some(()).ok_or_else(|| entry.name()));
        }
        verdict
    }
}

impl<C: Send + 'static> Registered<C> {
    fn name(&self) -> Arc<str> {
        Arc::clone(&self.callback.name)
    }

    /// Runs the callback (or skips it while its breaker is open); `false` when the
    /// connection is unusable: a critical callback failed and no fallback saved it.
    async fn run(&mut self, context: HookContext<C>) -> bool {
        let cooled = self.breaker.poll(Instant::now());
        self.announce(cooled);
        match self.invoke_unless_open(context.clone()).await {
            Ok(()) => self.settle(true),
            Err(failure) => self.recover(context, failure).await,
        }
    }

    async fn invoke_unless_open(&self, context: HookContext<C>) -> Result<(), CallbackFailure> {
        if self.breaker.state() == BreakerState::Open {
            return Err(CallbackFailure::CircuitOpen);
        }
        invoke(&self.callback.run, context, self.timeout).await
    }

    /// Records the outcome in the breaker; returns `succeeded`.
    fn settle(&mut self, succeeded: bool) -> bool {
        let now = Instant::now();
        let transition = if succeeded {
            self.breaker.record_success(now)
        } else {
            self.breaker.record_failure(now)
        };
        self.announce(transition);
        succeeded
    }

    /// Reports the failure, then runs the fallback; `false` when the connection is unusable.
    async fn recover(&mut self, context: HookContext<C>, failure: CallbackFailure) -> bool {
        self.report(context.hook(), failure);
        self.fallback(context).await || !self.callback.criticality.is_critical()
    }

    /// Reports a failure as an event and a metric; a real failure (not a skip) counts in
    /// the breaker.
    fn report(&mut self, hook: Hook, failure: CallbackFailure) {
        let callback = self.name();
        let criticality = self.callback.criticality;
        metrics::callback_failure(&callback, failure.as_str());
        let skipped = failure == CallbackFailure::CircuitOpen;
        self.events.emit(Event::CallbackFailed { callback, hook, criticality, failure });
        if !skipped {
            self.settle(false);
        }
    }

    /// Runs the fallback, if there is one; `true` when it ran and succeeded.
    async fn fallback(&self, context: HookContext<C>) -> bool {
        let Some(fallback) = &self.callback.fallback else { return false };
        let outcome = invoke(fallback, context, self.timeout).await;
        self.report_fallback(outcome)
    }

    fn report_fallback(&self, outcome: Result<(), CallbackFailure>) -> bool {
        metrics::fallback(&self.callback.name, if outcome.is_ok() { "ok" } else { "failed" });
        let callback = self.name();
        let succeeded = outcome.is_ok();
        self.events.emit(match outcome {
            Ok(()) => Event::FallbackUsed { callback },
            Err(failure) => Event::FallbackFailed { callback, failure },
        });
        succeeded
    }

    fn announce(&self, transition: Option<Transition>) {
        let Some((from, to)) = transition else { return };
        metrics::breaker_moved(&self.callback.name, from, to);
        let callback = self.name();
        self.events.emit(match to {
            BreakerState::Open => Event::CircuitOpened { callback },
            BreakerState::HalfOpen => Event::CircuitHalfOpened { callback },
            _ => Event::CircuitClosed { callback },
        });
    }
}

/// Whether a hook runs its next callback: always on-disconnected, the others until one
/// left the connection unusable.
fn goes_on(hook: Hook, verdict: &Result<(), Arc<str>>) -> bool {
    verdict.is_ok() || hook == Hook::Disconnected
}

/// Runs a callback under its timeout, a panic caught and reported as a failure.
async fn invoke<C>(
    callback: &CallbackFn<C>,
    context: HookContext<C>,
    timeout: Duration,
) -> Result<(), CallbackFailure> {
    let callback = Arc::clone(callback);
    let guarded = AssertUnwindSafe(async move { callback(context).await }).catch_unwind();
    match tokio::time::timeout(timeout, guarded).await {
        Err(_elapsed) => Err(CallbackFailure::TimedOut),
        Ok(Err(panic)) => Err(CallbackFailure::Panicked(panic_text(panic.as_ref()))),
        Ok(Ok(result)) => result.map_err(|error| CallbackFailure::Error(error.to_string().into())),
    }
}

/// The message of a caught panic, kept in the failure so the event says what broke.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Arc<str> {
    ws_core::panic_message(payload).unwrap_or("(no message)").into()
}

#[cfg(test)]
mod tests;
