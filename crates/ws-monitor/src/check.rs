//! What a health check is: the async [`HealthCheck`] trait and closure-based checks.

use crate::error::CheckError;
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// What a check returns: a message on success (may be empty), a [`CheckError`] on failure.
pub type CheckResult = Result<String, CheckError>;

/// One health check. The monitor runs it under its timeout and catches its panics, so an
/// implementation only says whether the thing it watches is well.
///
/// A check must not block its thread: a synchronous busy loop cannot be interrupted by the
/// timeout. Do blocking work in `tokio::task::spawn_blocking`.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Looks at the watched component once.
    async fn check(&self) -> CheckResult;
}

#[async_trait]
impl<T: HealthCheck + ?Sized> HealthCheck for Arc<T> {
    async fn check(&self) -> CheckResult {
        (**self).check().await
    }
}

#[async_trait]
impl<T: HealthCheck + ?Sized> HealthCheck for Box<T> {
    async fn check(&self) -> CheckResult {
        (**self).check().await
    }
}

/// A check made of an async closure; build it with [`from_async_fn`].
#[derive(Debug, Clone)]
pub struct AsyncFnCheck<F> {
    probe: F,
}

/// A check made of a synchronous closure that reads a value and judges it; build it with
/// [`from_fn`]. The closure runs inside the monitor's task, so it must be quick.
#[derive(Debug, Clone)]
pub struct FnCheck<F> {
    probe: F,
}

/// A check from an async closure: `from_async_fn(|| async { Ok("up".to_owned()) })`.
pub fn from_async_fn<F, Fut>(probe: F) -> AsyncFnCheck<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = CheckResult> + Send,
{
    AsyncFnCheck { probe }
}

/// A check from a synchronous closure: `from_fn(|| Ok("in sync".to_owned()))`.
pub fn from_fn<F>(probe: F) -> FnCheck<F>
where
    F: Fn() -> CheckResult + Send + Sync,
{
    FnCheck { probe }
}

#[async_trait]
impl<F, Fut> HealthCheck for AsyncFnCheck<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = CheckResult> + Send,
{
    async fn check(&self) -> CheckResult {
        (self.probe)().await
    }
}

#[async_trait]
impl<F> HealthCheck for FnCheck<F>
where
    F: Fn() -> CheckResult + Send + Sync,
{
    async fn check(&self) -> CheckResult {
        (self.probe)()
    }
}
