//! Stress: many tasks race closes, failures, force-closes and sweeps on the same
//! connections; every connection must end exactly once, released exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{MockScript, Scripted};
use std::collections::HashMap;
use ws_conn::{CloseFrame, ConnError, ConnEvent, ConnId, ConnState, Registry, TransportError};

/// Closes that yield before answering, so racers interleave; released exactly once.
fn racy(fails: bool) -> Scripted {
    let mut script = MockScript::new();
    script.expect_close().returning(move |_| {
        Box::pin(async move {
            tokio::task::yield_now().await;
            if fails {
                Err(TransportError::new("reset by peer"))
            } else {
                Ok(())
            }
        })
    });
    script.expect_ping().returning(|| Box::pin(async { Ok(()) }));
    script.expect_force_close().times(1).return_const(());
    Scripted(script)
}

async fn race(registry: Registry, ids: Vec<ConnId>, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..ids.len() * 2 {
        let id = ids[rng.usize(..ids.len())];
        let outcome = match rng.u8(..5) {
            0 | 1 => registry.close(id, CloseFrame::normal()).await,
            2 => registry.mark_failed(id),
            3 => registry.force_close(id),
            _ => Ok(registry.sweep_once()).map(|_| ()),
        };
        let expected = matches!(
            outcome,
            Ok(())
                | Err(ConnError::IllegalTransition { .. }
                    | ConnError::NotFound { .. }
                    | ConnError::CloseFailed { .. }
                    | ConnError::CloseInterrupted { .. })
        );
        assert!(expected, "unexpected outcome {outcome:?}");
        if let Some(state) = registry.state(id) {
            assert_ne!(state, ConnState::Closed, "a closed connection never stays registered");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_transitions_end_every_connection_exactly_once() {
    for round in 0..10 {
        race_round(round * 16).await;
    }
}

async fn race_round(first_seed: u64) {
    let mut config = common::config();
    config.event_capacity = 4_096;
    let registry = Registry::new(config);
    let mut events = registry.subscribe();
    let ids: Vec<ConnId> =
        (0..200).map(|n| registry.register(racy(n % 3 == 0)).unwrap().id()).collect();
    let racers: Vec<_> = (first_seed..first_seed + 16)
        .map(|seed| tokio::spawn(race(registry.clone(), ids.clone(), seed)))
        .collect();
    for racer in racers {
        racer.await.unwrap();
    }
    registry.shutdown(std::time::Duration::from_secs(1)).await;
    assert!(registry.is_empty());
    let mut finals: HashMap<ConnId, usize> = HashMap::new();
    let mut ended = std::collections::HashSet::new();
    for event in common::drain(&mut events) {
        assert!(!ended.contains(&event.id()), "an event after the end: {event:?}");
        if event.is_final() {
            *finals.entry(event.id()).or_default() += 1;
            ended.insert(event.id());
        }
        if let ConnEvent::Opened { id } = event {
            assert!(ids.contains(&id));
        }
    }
    assert_eq!(finals.len(), ids.len());
    assert!(finals.values().all(|count| *count == 1));
}
