//! The `ws_batch_*` metrics, read back with metrics-util's `DebuggingRecorder`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, texts, Fault, TestSink};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use std::cell::RefCell;
use std::collections::HashMap;
use ws_batch::metrics as names;
use ws_batch::{Confirmation, DeadLetterHandler, Outbox, OutboxConfig};

/// Running totals: the debugging recorder hands out what changed since its last snapshot.
struct Totals {
    snapshotter: Snapshotter,
    seen: RefCell<HashMap<(String, Vec<String>), f64>>,
}

impl Totals {
    fn take(&self) {
        let mut seen = self.seen.borrow_mut();
        for (key, _, _, value) in self.snapshotter.snapshot().into_vec() {
            let labels =
                key.key().labels().map(|label| format!("{}={}", label.key(), label.value()));
            let slot = seen.entry((key.key().name().to_string(), labels.collect())).or_default();
            *slot += match value {
                DebugValue::Counter(count) => count as f64,
                DebugValue::Gauge(gauge) => gauge.into_inner(),
                DebugValue::Histogram(samples) => samples.len() as f64,
            };
        }
    }

    /// The value of a metric summed over its labels (a histogram counts its samples).
    fn value(&self, name: &str) -> f64 {
        self.take();
        self.seen
            .borrow()
            .iter()
            .filter(|((found, _), _)| found == name)
            .map(|(_, value)| value)
            .sum()
    }

    fn labelled(&self, name: &str, label: &str) -> f64 {
        self.take();
        let matching = self
            .seen
            .borrow()
            .iter()
            .filter(|((found, labels), _)| found == name && labels.iter().any(|l| l == label))
            .map(|(_, value)| *value)
            .sum();
        matching
    }
}

async fn scenario(totals: &Totals) {
    let config = OutboxConfig::default()
        .with_confirmation(Confirmation::Ack)
        .with_max_attempts(2)
        .with_capacity_messages(3);
    let (outbox, mut dead) = Outbox::with_dead_letter_channel(config);
    for text in texts("m", 4) {
        let _ = outbox.push(text);
    }
    assert_eq!(totals.value(names::ENQUEUED), 3.0);
    assert_eq!(totals.labelled(names::REJECTED, "limit=messages"), 1.0);
    assert_eq!(totals.value(names::PENDING), 3.0);

    let mut sink = TestSink::new();
    outbox.flush_with(&mut sink, frame).await.unwrap();
    assert_eq!(totals.value(names::SENT), 3.0);
    assert_eq!((totals.value(names::PENDING), totals.value(names::IN_FLIGHT)), (0.0, 3.0));
    outbox.ack(1).unwrap();
    outbox.ack(9).unwrap_err();
    assert_eq!(totals.value(names::ACKED), 1.0);
    assert_eq!(totals.value(names::ACK_ERRORS), 1.0);

    outbox.requeue_unacked().await;
    assert_eq!(totals.labelled(names::RETRIED, "reason=unacked"), 2.0);
    sink.set_fault(Fault::Flush);
    outbox.flush_with(&mut sink, frame).await.unwrap_err();
    assert_eq!(totals.labelled(names::FLUSH_FAILURES, "reason=transport"), 1.0);
    assert_eq!(totals.labelled(names::DEAD_LETTERED, "reason=transport"), 2.0);
    assert_eq!(totals.value(names::FLUSH_DURATION), 2.0);
    assert_eq!(dead.try_recv().unwrap().seq, 2);

    drop(dead);
    outbox.push("orphan".to_string()).unwrap();
    outbox.flush_with(&mut sink, frame).await.unwrap_err();
    tokio::time::advance(std::time::Duration::from_secs(60)).await;
    outbox.flush_with(&mut sink, frame).await.unwrap_err();
    assert_eq!(totals.value(names::DEAD_LETTERS_UNDELIVERED), 1.0);
    outbox.push("left behind".to_string()).unwrap();
    drop(outbox);
}

#[test]
fn every_metric_is_recorded_and_gauges_return_to_zero() {
    let recorder = DebuggingRecorder::new();
    let totals = Totals { snapshotter: recorder.snapshotter(), seen: RefCell::default() };
    metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(scenario(&totals));
    });
    assert_eq!(totals.value(names::PENDING), 0.0, "a dropped outbox leaves the gauges");
    assert_eq!(totals.value(names::IN_FLIGHT), 0.0);
}

#[test]
fn outboxes_of_one_config_built_under_a_later_recorder_record_into_it() {
    let config = std::sync::Arc::new(OutboxConfig::default());
    let outbox = || Outbox::<String>::new(config.clone(), DeadLetterHandler::callback(drop));
    let before = outbox();
    let recorder = DebuggingRecorder::new();
    let totals = Totals { snapshotter: recorder.snapshotter(), seen: RefCell::default() };
    let outboxes = metrics::with_local_recorder(&recorder, || [outbox(), outbox()]);
    before.push("not counted".to_string()).unwrap();
    for outbox in &outboxes {
        outbox.push("counted".to_string()).unwrap();
    }
    assert_eq!(totals.value(names::ENQUEUED), 2.0, "bound when built, recorded outside");
    assert_eq!(totals.value(names::PENDING), 2.0);
    drop(outboxes);
    assert_eq!(totals.value(names::PENDING), 0.0);
}
