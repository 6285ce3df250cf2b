//! Every flush runs in a `ws_batch.flush` tracing span, and a failed one logs a warning in it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, Fault, TestSink};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use ws_batch::{Outbox, OutboxConfig};

/// Records the names of new spans and the targets of warnings.
#[derive(Default)]
struct Log {
    spans: Mutex<Vec<String>>,
    warnings: Mutex<Vec<String>>,
    next_id: AtomicU64,
}

/// A subscriber writing into a shared [`Log`].
#[derive(Clone, Default)]
struct Recorder(Arc<Log>);

impl Subscriber for Recorder {
    fn enabled(&self, _metadata: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.0.spans.lock().unwrap().push(span.metadata().name().to_string());
        Id::from_u64(self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if *event.metadata().level() == Level::WARN {
            self.0.warnings.lock().unwrap().push(event.metadata().target().to_string());
        }
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

async fn two_flushes() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(OutboxConfig::default());
    let mut sink = TestSink::new();
    outbox.push("a".to_string()).unwrap();
    outbox.flush_with(&mut sink, frame).await.unwrap();
    outbox.push("b".to_string()).unwrap();
    sink.set_fault(Fault::Flush);
    outbox.flush_with(&mut sink, frame).await.unwrap_err();
    let idle = outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!(idle.sent, 0, "not due yet: nothing to send, no span");
}

#[test]
fn each_flush_has_its_span_and_a_failure_warns() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(two_flushes());
    });
    let spans = recorder.0.spans.lock().unwrap().clone();
    assert_eq!(spans.iter().filter(|name| *name == "ws_batch.flush").count(), 2);
    assert_eq!(*recorder.0.warnings.lock().unwrap(), vec!["ws_batch::outbox".to_string()]);
}
