//! Unit tests of the state cell: admission, the sticky error state, recovery.

use super::*;
use crate::error::CallbackError;
use std::time::Duration;
use ws_core::Criticality;

fn failure(name: &str) -> Failure {
    let error = CallbackError::TimedOut { after: Duration::from_secs(1) };
    Failure {
        name: name.into(),
        criticality: Criticality::Critical,
        error,
        duration: Duration::ZERO,
    }
}

#[test]
fn error_keeps_the_failures_that_caused_it() {
    let cell = StateCell::default();
    let mut seen = Vec::new();
    cell.settle(SyncState::Error, || vec![failure("first")], |change| seen.push(change));
    cell.settle(SyncState::Error, || vec![failure("second")], |change| seen.push(change));
    let Err(SyncError::Refused { cause }) = cell.admit() else { panic!("not refused") };
    assert_eq!(&*cause[0].name, "first");
    assert_eq!(seen[1], Transition { from: SyncState::Error, to: SyncState::Error });
}

#[test]
fn a_clean_sync_does_not_leave_error_but_recover_does() {
    let cell = StateCell::default();
    assert!(cell.admit().is_ok());
    cell.settle(SyncState::Error, || vec![failure("first")], |_| ());
    assert_eq!(cell.settle(SyncState::Healthy, Vec::new, |_| ()), SyncState::Error);
    let cause = cell.recover(|change| assert_eq!(change.to, SyncState::Healthy)).unwrap();
    assert_eq!(cause.len(), 1);
    assert_eq!(cell.get(), SyncState::Healthy);
    assert!(cell.recover(|_| panic!("no transition expected")).is_none());
}

#[test]
fn the_cause_is_only_computed_on_entering_error() {
    let cell = StateCell::default();
    cell.settle(SyncState::Degraded, || panic!("not entering error"), |_| ());
    assert_eq!(cell.get(), SyncState::Degraded);
}
