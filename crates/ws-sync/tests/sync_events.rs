//! The failure handler and the event stream receive every failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;
use ws_sync::{BoxError, Callback, CallbackError, Criticality, SyncEvent, Synchronizer};

async fn fails(_: Arc<u32>) -> Result<(), BoxError> {
    Err("forced".into())
}

#[tokio::test(start_paused = true)]
async fn every_failure_reaches_the_handler_and_the_subscribers() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let sync = Synchronizer::<u32>::builder()
        .name("events")
        .event_capacity(16)
        .on_failure(move |failure| {
            let entry = (failure.name.to_string(), failure.criticality, failure.error.to_string());
            record.lock().unwrap().push(entry);
        })
        .build();
    let mut events = sync.subscribe();
    sync.register(Callback::critical("restore", fails)).unwrap();
    sync.register(Callback::warning("presence", |_| async { panic!("presence panicked") }))
        .unwrap();
    let hung = Callback::warning("history", |_| futures::future::pending());
    sync.register(hung.timeout(Duration::from_secs(1))).unwrap();
    sync.register(Callback::critical("fine", |_| async { Ok(()) })).unwrap();

    sync.sync(1).await.unwrap_err();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            ("restore".to_owned(), Criticality::Critical, "callback returned an error".to_owned()),
            (
                "presence".to_owned(),
                Criticality::Warning,
                "callback panicked: presence panicked".to_owned()
            ),
            ("history".to_owned(), Criticality::Warning, "callback timed out after 1s".to_owned()),
        ]
    );
    let mut failures = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let SyncEvent::Failure(failure) = event {
            failures.push((failure.name.to_string(), failure.criticality));
        }
    }
    assert_eq!(failures.len(), 3);
    assert_eq!(failures[0], ("restore".to_owned(), Criticality::Critical));
}

#[tokio::test]
async fn a_panicking_handler_never_aborts_the_sync() {
    let sync = Synchronizer::<u32>::builder().on_failure(|_| panic!("handler bug")).build();
    sync.register(Callback::warning("presence", fails)).unwrap();
    let report = sync.sync(1).await.unwrap();
    assert_eq!(report.failures().len(), 1);
    let failure = &report.failures()[0];
    assert!(matches!(failure.error, CallbackError::Failed(_)));
    assert!(std::error::Error::source(&failure.error).is_some());
}

#[tokio::test]
async fn syncing_without_subscribers_is_fine() {
    let sync = Synchronizer::<u32>::builder().event_capacity(0).build();
    sync.register(Callback::warning("presence", fails)).unwrap();
    assert_eq!(sync.sync(1).await.unwrap().warning_names().len(), 1);
}
