//! Helpers for the crate's unit tests: reading counters out of a `DebuggingRecorder`, and
//! a loopback accept loop for a `SessionServer`.

use metrics_util::debugging::{DebugValue, Snapshotter};
use std::collections::HashMap;

/// The counters named `name` in one snapshot (which resets what it reads), by the value of
/// their label `label` (an empty string for a counter without it).
pub(crate) fn counters_by(
    snapshotter: &Snapshotter,
    name: &str,
    label: &str,
) -> HashMap<String, u64> {
    let snapshot = snapshotter.snapshot().into_vec();
    let counters = snapshot.into_iter().filter_map(|(key, _, _, value)| {
        let (key, DebugValue::Counter(count)) = (key.key(), value) else { return None };
        let value = key.labels().find(|found| found.key() == label).map(|found| found.value());
        (key.name() == name).then(|| (value.unwrap_or_default().to_owned(), count))
    });
    counters.collect()
}

/// Serves `server`'s handshake and sessions on a fresh loopback port (the unit tests' own
/// accept loop; `ws-reliability`'s `listen` is the real one): the address to connect to.
#[cfg(feature = "server")]
pub(crate) async fn serve_on_loopback(
    server: &crate::server::SessionServer,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server.clone();
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let server = server.clone();
            tokio::spawn(async move { server.serve_stream_from(stream, peer).await });
        }
    });
    addr
}
