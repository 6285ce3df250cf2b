//! The tracing spans: one per sync, one per callback, one per recovery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use ws_sync::{BoxError, Callback, Synchronizer};

/// Records the name of every span created, with its fields rendered, and every event's
/// fields.
#[derive(Default)]
struct SpanLog {
    next: AtomicU64,
    spans: Arc<Mutex<Vec<String>>>,
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Subscriber for SpanLog {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(span.metadata().name().to_owned());
        span.record(&mut fields);
        self.spans.lock().unwrap().push(fields.0);
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.events.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn a_span_per_sync_per_callback_and_per_recovery() {
    let log = SpanLog::default();
    let (spans, events) = (log.spans.clone(), log.events.clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    tracing::subscriber::with_default(log, || {
        runtime.block_on(async {
            let sync = Synchronizer::<u32>::new("traced");
            let no_user = |_| async { Err(BoxError::from("no user")) };
            sync.register(Callback::critical("restore", no_user)).unwrap();
            sync.register(Callback::warning("presence", |_| async { Ok(()) })).unwrap();
            sync.sync(1).await.unwrap_err();
            sync.recover().unwrap();
        })
    });
    let spans = spans.lock().unwrap().clone();
    assert_eq!(
        spans,
        [
            "ws_sync.sync synchronizer=traced",
            "ws_sync.callback callback=restore criticality=critical",
            "ws_sync.callback callback=presence criticality=warning",
            "ws_sync.recover synchronizer=traced",
        ]
    );
    let failed = " message=callback failed error=callback returned an error cause=no user";
    let events = events.lock().unwrap().clone();
    assert!(events.iter().any(|event| event == failed), "the cause is logged: {events:?}");
}
