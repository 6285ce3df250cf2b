//! Helpers for the crate's unit tests: reading counters out of a `DebuggingRecorder`.

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
