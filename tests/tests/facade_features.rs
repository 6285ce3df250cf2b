//! The facade with `full` re-exports every fix crate and the shared vocabulary.

use std::time::Duration;
use ws_reliability::core::{Backoff, Criticality, JitterRng};

#[test]
fn shared_vocabulary_is_reexported() {
    let backoff = Backoff::new(Duration::from_millis(10), 2.0, Duration::from_millis(40));
    assert!(backoff.delay(5, &mut JitterRng::seeded(3)) <= Duration::from_millis(40));
    assert!(Criticality::Critical.is_critical());
}
