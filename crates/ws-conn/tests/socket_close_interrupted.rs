//! Real tokio-tungstenite sockets on loopback: a close still waiting for its peer when the
//! owner force-closes the connection (as a server does when a resumed session replaces it)
//! returns `CloseInterrupted` and counts `ws_conn_close_failed_total{reason="interrupted"}`,
//! not a transport error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use ws_conn::{metrics as names, CloseFrame, ConnConfig, ConnError, ConnEvent, ConnState};
use ws_conn::{ForceCause, Registry};

mod common;

use common::sockets::{pair, Socket};

/// `ws_conn_close_failed_total` per `reason` label.
fn close_failures(recorder: &DebuggingRecorder) -> Vec<(String, u64)> {
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let failures = snapshot.into_iter().filter(|(key, ..)| key.key().name() == names::CLOSE_FAILED);
    let by_reason = failures.map(|(key, _, _, value)| {
        let reason = key.key().labels().map(|label| label.value().to_owned()).collect();
        let DebugValue::Counter(count) = value else { panic!("a counter") };
        (reason, count)
    });
    by_reason.collect()
}

/// Registers the server end of `pair` with a reader polling it, as a server does.
async fn registered(registry: &Registry, server: Socket) -> ws_conn::ConnId {
    let admission = registry.admit().unwrap();
    let (conn, _sink, mut stream) = ws_conn::tungstenite::split(server, admission.activity());
    let id = admission.register(conn).id();
    let reader = tokio::spawn(async move { while stream.next().await.is_some() {} });
    registry.track_task(id, reader.abort_handle()).unwrap();
    id
}

#[test]
fn a_close_cut_short_by_a_force_close_is_interrupted_not_failed() {
    let recorder = DebuggingRecorder::new();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            // The peer never reads, so it never answers the close.
            let (server, _peer) = pair().await;
            let registry = Registry::new(ConnConfig::default());
            let mut events = registry.subscribe();
            let id = registered(&registry, server).await;
            let closer = registry.clone();
            let close = tokio::spawn(async move { closer.close(id, CloseFrame::normal()).await });
            while registry.state(id) != Some(ConnState::Closing) {
                tokio::task::yield_now().await;
            }
            // The owner replaces the connection while the close waits for the answer.
            registry.force_close(id).unwrap();
            let error = close.await.unwrap().unwrap_err();
            assert!(matches!(error, ConnError::CloseInterrupted { id: cut } if cut == id));
            let message =
                format!("close of {id} interrupted: force-closed before the peer answered");
            assert_eq!(error.to_string(), message);
            assert!(registry.is_empty(), "nothing left for the sweeper");
            let seen: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).collect();
            let forced = ConnEvent::ForceClosed { id, cause: ForceCause::Requested };
            assert_eq!(seen, vec![ConnEvent::Opened { id }, forced], "no Failed event");
        })
    });
    assert_eq!(close_failures(&recorder), vec![("interrupted".to_owned(), 1)]);
}
