//! One run of one callback: panics caught, the timeout applied, the duration measured.

use crate::callback::Callback;
use crate::error::{BoxError, CallbackError};
use crate::report::CallbackReport;
use futures::FutureExt;
use std::any::Any;
use std::error::Error as _;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

/// Runs `callback` once with `state` under its timeout (or `default_timeout`), inside a
/// `ws_sync.callback` span, and reports how it ended. Never panics, never hangs past the
/// timeout.
pub(crate) async fn run_callback<S: Send + Sync + 'static>(
    callback: &Callback<S>,
    state: Arc<S>,
    default_timeout: Option<Duration>,
) -> CallbackReport {
    let criticality = callback.criticality();
    let span = tracing::info_span!("ws_sync.callback", callback = %callback.name(), %criticality);
    let limit = callback.own_timeout().or(default_timeout);
    let started = Instant::now();
    let run = bounded(started, limit, guarded(callback.start(state)));
    let result = run.instrument(span.clone()).await;
    span.in_scope(|| trace_result(&result));
    CallbackReport::new(callback.name().clone(), criticality, result, started.elapsed())
}

/// Turns a returned error or a panic into a [`CallbackError`].
async fn guarded(run: impl Future<Output = Result<(), BoxError>>) -> Result<(), CallbackError> {
    match AssertUnwindSafe(run).catch_unwind().await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(CallbackError::failed(error)),
        Err(payload) => Err(CallbackError::Panicked { message: panic_message(payload.as_ref()) }),
    }
}

/// Applies the timeout, if any, counted from `started` (one clock read serves the timeout and
/// the duration); a run that outlives it is dropped. A limit too large for the clock is none.
async fn bounded(
    started: Instant,
    limit: Option<Duration>,
    run: impl Future<Output = Result<(), CallbackError>>,
) -> Result<(), CallbackError> {
    match limit.and_then(|after| Some((after, started.checked_add(after)?))) {
        Some((after, deadline)) => {
            let timed = tokio::time::timeout_at(deadline, run).await;
            timed.unwrap_or(Err(CallbackError::TimedOut { after }))
        }
        None => run.await,
    }
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    ws_core::panic_message(payload).unwrap_or("non-string panic payload").to_owned()
}

/// Logs the outcome; a failure's `cause` is the callback's own error (the `source` of
/// [`CallbackError::Failed`]), which the `error` text alone does not show.
fn trace_result(result: &Result<(), CallbackError>) {
    match result {
        Ok(()) => tracing::debug!("callback succeeded"),
        Err(error) => {
            let cause = error.source().map(tracing::field::display);
            tracing::warn!(%error, cause, "callback failed");
        }
    }
}

#[cfg(test)]
mod tests;
