//! What every backend reports about its commits: a tracing span, a counter and a latency
//! histogram, labelled with the backend's name.

use crate::error::StoreError;
use std::future::Future;
use tracing::Instrument;

/// Runs `commit` (a backend's commit of `writes` session writes) in a span named
/// `ws_store.commit`, then counts it in `ws_store_commits_total{backend}` and records its
/// duration in `ws_store_commit_seconds{backend}`.
pub(crate) async fn observe_commit<T>(
    backend: &'static str,
    writes: usize,
    commit: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let span = tracing::debug_span!("ws_store.commit", backend, writes);
    let started = std::time::Instant::now();
    let outcome = commit.instrument(span).await;
    metrics::counter!("ws_store_commits_total", "backend" => backend).increment(1);
    let seconds = started.elapsed().as_secs_f64();
    metrics::histogram!("ws_store_commit_seconds", "backend" => backend).record(seconds);
    outcome
}
