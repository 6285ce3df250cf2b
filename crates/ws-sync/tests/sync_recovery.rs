//! The error state: refused syncs, explicit recovery, state-change events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use ws_sync::{BoxError, Callback, SyncError, SyncEvent, SyncState, Synchronizer, Transition};

/// A synchronizer whose critical callback fails while `broken` is set; `runs` counts calls.
fn synchronizer(broken: Arc<AtomicBool>, runs: Arc<AtomicUsize>) -> Synchronizer<u32> {
    let sync = Synchronizer::<u32>::new("recovery");
    sync.register(Callback::critical("restore", move |_| {
        runs.fetch_add(1, Ordering::SeqCst);
        let broken = broken.load(Ordering::SeqCst);
        async move {
            if broken {
                Err(BoxError::from("store down"))
            } else {
                Ok(())
            }
        }
    }))
    .unwrap();
    sync
}

#[tokio::test]
async fn syncs_are_refused_in_error_until_recover() {
    let (broken, runs) = (Arc::new(AtomicBool::new(true)), Arc::new(AtomicUsize::new(0)));
    let sync = synchronizer(broken.clone(), runs.clone());
    let mut events = sync.subscribe();

    sync.sync(1).await.unwrap_err();
    broken.store(false, Ordering::SeqCst);
    let refused = sync.sync(2).await.unwrap_err();

    assert_eq!(runs.load(Ordering::SeqCst), 1, "a refused sync runs no callback");
    let SyncError::Refused { cause } = &refused else { panic!("unexpected {refused:?}") };
    assert_eq!(&*cause[0].name, "restore");
    assert_eq!(cause[0].error.to_string(), "callback returned an error");
    assert_eq!(refused.failures().len(), 1);
    assert!(refused.to_string().starts_with("sync refused"));

    let recovered = sync.recover().unwrap();
    assert_eq!(&*recovered[0].name, "restore");
    assert_eq!(sync.state(), SyncState::Healthy);
    assert!(sync.recover().is_none(), "nothing to recover from");
    let report = sync.sync(3).await.unwrap();
    assert!(report.is_clean());
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    let mut transitions = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let SyncEvent::StateChanged(transition) = event {
            transitions.push(transition);
        }
    }
    let to_error = Transition { from: SyncState::Healthy, to: SyncState::Error };
    let recovery = Transition { from: SyncState::Error, to: SyncState::Healthy };
    assert_eq!(transitions, vec![to_error, recovery]);
}

#[tokio::test]
async fn recovery_leaves_a_later_failure_free_to_fail_again() {
    let (broken, runs) = (Arc::new(AtomicBool::new(true)), Arc::new(AtomicUsize::new(0)));
    let sync = synchronizer(broken, runs);
    sync.sync(1).await.unwrap_err();
    sync.recover().unwrap();
    let again = sync.sync(2).await.unwrap_err();
    assert!(matches!(again, SyncError::CriticalFailure { .. }));
    assert_eq!(sync.state(), SyncState::Error);
}

#[test]
fn states_and_transitions() {
    assert_eq!(SyncState::default(), SyncState::Healthy);
    let names: Vec<_> = SyncState::ALL.iter().map(|state| state.as_str()).collect();
    assert_eq!(names, ["healthy", "degraded", "error"]);
    assert_eq!(SyncState::Error.after_sync(SyncState::Healthy), SyncState::Error);
    assert_eq!(SyncState::Degraded.after_sync(SyncState::Healthy), SyncState::Healthy);
    assert_eq!(SyncState::Healthy.after_sync(SyncState::Degraded), SyncState::Degraded);
    assert_eq!(SyncState::Degraded.after_sync(SyncState::Error), SyncState::Error);
    assert!(SyncState::Error.is_error() && !SyncState::Degraded.is_error());
}
