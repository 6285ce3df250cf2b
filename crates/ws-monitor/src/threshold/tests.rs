//! Unit tests of the threshold check: both bounds, the limit itself, NaN, the async path.

use super::*;

#[test]
fn at_most_passes_up_to_the_limit_and_fails_above() {
    let check = ThresholdCheck::at_most("outbox depth", 100.0, || 0.0);
    assert_eq!(check.evaluate(100.0).unwrap(), "outbox depth is 100 (limit 100)");
    let failure = check.evaluate(101.5).unwrap_err();
    assert_eq!(failure.message(), "outbox depth is 101.5, above the limit 100");
    assert_eq!((check.limit(), check.bound()), (100.0, Bound::AtMost));
}

#[test]
fn at_least_passes_down_to_the_limit_and_fails_below() {
    let check = ThresholdCheck::at_least("connected peers", 1.0, || 0.0);
    assert!(check.evaluate(1.0).is_ok());
    assert_eq!(
        check.evaluate(0.0).unwrap_err().message(),
        "connected peers is 0, below the limit 1"
    );
    assert_eq!(check.bound(), Bound::AtLeast);
}

#[test]
fn nan_fails() {
    let check = ThresholdCheck::at_most("ghosts", 0.0, || f64::NAN);
    assert_eq!(check.evaluate(f64::NAN).unwrap_err().message(), "ghosts is not a number");
}

#[tokio::test]
async fn check_reads_the_application_value_each_time() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let open_circuits = Arc::new(AtomicU64::new(0));
    let source = Arc::clone(&open_circuits);
    let check = ThresholdCheck::at_most("open circuits", 0.0, move || {
        source.load(Ordering::Relaxed) as f64
    });
    assert!(check.check().await.is_ok());
    open_circuits.store(2, Ordering::Relaxed);
    assert_eq!(check.check().await.unwrap_err().message(), "open circuits is 2, above the limit 0");
}
