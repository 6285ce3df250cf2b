//! Unit tests of the report: outcome labels, the verdict, failures.

use super::*;
use crate::error::CallbackError;

fn run(name: &str, criticality: Criticality, result: Result<(), CallbackError>) -> CallbackReport {
    CallbackReport::new(name.into(), criticality, result, Duration::from_millis(3))
}

fn failed() -> Result<(), CallbackError> {
    Err(CallbackError::failed("forced"))
}

#[test]
fn outcome_labels() {
    let labels =
        [Outcome::Ok, Outcome::Error, Outcome::Panic, Outcome::Timeout].map(Outcome::as_str);
    assert_eq!(labels, ["ok", "error", "panic", "timeout"]);
    let panicked = Err(CallbackError::Panicked { message: "boom".into() });
    assert_eq!(run("a", Criticality::Warning, panicked).outcome(), Outcome::Panic);
}

#[test]
fn verdict_follows_the_worst_failure() {
    let ok = run("ok", Criticality::Critical, Ok(()));
    let warning = run("warning", Criticality::Warning, failed());
    let critical = run("critical", Criticality::Critical, failed());
    assert_eq!(verdict_of(&[]), SyncState::Healthy);
    assert_eq!(verdict_of(std::slice::from_ref(&ok)), SyncState::Healthy);
    assert_eq!(verdict_of(&[ok.clone(), warning.clone()]), SyncState::Degraded);
    assert_eq!(verdict_of(&[warning.clone(), critical.clone(), ok]), SyncState::Error);
    assert_eq!(critical_failures(&[warning, critical]).len(), 1);
}

#[test]
fn a_failure_carries_name_criticality_error_and_duration() {
    let report = run("restore", Criticality::Critical, failed());
    let failure = report.failure().unwrap();
    assert_eq!(&*failure.name, "restore");
    assert_eq!(failure.criticality, Criticality::Critical);
    assert_eq!(failure.duration, Duration::from_millis(3));
    assert_eq!(report.criticality(), Criticality::Critical);
    assert!(run("fine", Criticality::Warning, Ok(())).failure().is_none());
}
