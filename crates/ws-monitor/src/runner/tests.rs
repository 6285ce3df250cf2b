//! Unit tests of one guarded check run: each outcome is classified, with its message.

use super::*;
use crate::check::{from_async_fn, from_fn};
use crate::error::CheckError;

fn registered(check: impl HealthCheck + 'static, timeout: Duration) -> RegisteredCheck {
    let check = Arc::new(check);
    RegisteredCheck { name: "probe".into(), criticality: Criticality::Critical, timeout, check }
}

#[tokio::test(start_paused = true)]
async fn passed_keeps_the_message() {
    let report = registered(from_fn(|| Ok("fine".into())), Duration::from_secs(1)).run().await;
    assert_eq!((report.status(), report.message()), (CheckStatus::Passed, "fine"));
    assert_eq!((report.name(), report.criticality()), ("probe", Criticality::Critical));
}

#[tokio::test(start_paused = true)]
async fn failed_keeps_the_error() {
    let report = registered(from_fn(|| Err(CheckError::from("disk full"))), Duration::from_secs(1))
        .run()
        .await;
    assert_eq!((report.status(), report.message()), (CheckStatus::Failed, "disk full"));
}

#[tokio::test(start_paused = true)]
async fn panics_are_caught_with_their_message() {
    let check = from_fn(|| panic!("boom {}", 7));
    let report = registered(check, Duration::from_secs(1)).run().await;
    assert_eq!((report.status(), report.message()), (CheckStatus::Panicked, "panicked: boom 7"));
    let report = registered(from_fn(|| panic!("static")), Duration::from_secs(1)).run().await;
    assert_eq!(report.message(), "panicked: static");
}

#[test]
fn a_panic_without_text_is_still_reported() {
    let payload: Box<dyn Any + Send> = Box::new(42_u8);
    assert_eq!(panic_message(payload.as_ref()), "panicked: (no message)");
}

#[tokio::test(start_paused = true)]
async fn a_hang_times_out_at_the_timeout() {
    let check = from_async_fn(std::future::pending::<CheckResult>);
    let report = registered(check, Duration::from_millis(250)).run().await;
    assert_eq!(report.status(), CheckStatus::TimedOut);
    assert_eq!(report.message(), "no answer within 250ms");
    assert_eq!(report.duration(), Duration::from_millis(250));
}
