//! A failing first check (error, panic, timeout) never stops or hides the checks after it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use ws_monitor::{
    from_async_fn, from_fn, CheckError, CheckResult, CheckStatus, Criticality, HealthCheck,
    HealthStatus, Monitor,
};

const OTHERS: usize = 9;

/// How the first check fails.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Error,
    Panic,
    Hang,
}

fn failing_first(fault: Fault) -> Box<dyn HealthCheck> {
    match fault {
        Fault::Error => Box::new(from_fn(|| Err(CheckError::new("database refused")))),
        Fault::Panic => Box::new(from_fn(|| panic!("database check bug"))),
        Fault::Hang => Box::new(from_async_fn(std::future::pending::<CheckResult>)),
    }
}

/// The failing check first, then `OTHERS` checks that each take 100 ms and count their runs.
fn monitor_with(fault: Fault, executed: &Arc<AtomicUsize>) -> Monitor {
    let mut monitor = Monitor::new();
    let first = failing_first(fault);
    monitor.register("first", Criticality::Critical, Duration::from_secs(2), first).unwrap();
    for index in 0..OTHERS {
        let executed = Arc::clone(executed);
        let check = from_async_fn(move || {
            let executed = Arc::clone(&executed);
            async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                executed.fetch_add(1, Ordering::SeqCst);
                Ok(format!("other {index} fine"))
            }
        });
        monitor
            .register(format!("other-{index}"), Criticality::Warning, Duration::from_secs(1), check)
            .unwrap();
    }
    monitor
}

async fn assert_isolated(fault: Fault, expected: CheckStatus) {
    let executed = Arc::new(AtomicUsize::new(0));
    let monitor = monitor_with(fault, &executed);
    let started = Instant::now();
    let report = monitor.run().await;
    assert_eq!(executed.load(Ordering::SeqCst), OTHERS, "{fault:?}: every other check ran");
    assert_eq!(report.checks().len(), OTHERS + 1);
    assert_eq!(report.check("first").unwrap().status(), expected, "{fault:?}");
    for index in 0..OTHERS {
        let other = report.check(&format!("other-{index}")).unwrap();
        assert_eq!(other.status(), CheckStatus::Passed, "{fault:?}");
        assert_eq!(other.message(), format!("other {index} fine"));
    }
    assert_eq!(report.status(), HealthStatus::Unhealthy, "the failing check is critical");
    assert_eq!((report.coverage(), report.executed(), report.registered()), (1.0, 10, 10));
    assert!(started.elapsed() <= Duration::from_secs(2), "{fault:?}: within the slowest timeout");
}

#[tokio::test(start_paused = true)]
async fn an_error_in_the_first_check_does_not_stop_the_others() {
    assert_isolated(Fault::Error, CheckStatus::Failed).await;
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_the_first_check_does_not_stop_the_others() {
    assert_isolated(Fault::Panic, CheckStatus::Panicked).await;
}

#[tokio::test(start_paused = true)]
async fn a_hang_in_the_first_check_ends_at_its_timeout() {
    let executed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let report = monitor_with(Fault::Hang, &executed).run().await;
    assert_eq!(started.elapsed(), Duration::from_secs(2), "the report waits for the timeout only");
    assert_eq!(report.check("first").unwrap().message(), "no answer within 2s");
    assert_isolated(Fault::Hang, CheckStatus::TimedOut).await;
}

#[tokio::test(start_paused = true)]
async fn checks_run_concurrently_not_one_after_another() {
    let executed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let report = monitor_with(Fault::Error, &executed).run().await;
    assert_eq!(started.elapsed(), Duration::from_millis(100), "nine 100 ms checks overlap");
    assert_eq!(report.duration(), Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn aggregation_follows_criticality() {
    let cases = [
        (Ok(()), Ok(()), HealthStatus::Healthy),
        (Ok(()), Err(()), HealthStatus::Degraded),
        (Err(()), Ok(()), HealthStatus::Unhealthy),
        (Err(()), Err(()), HealthStatus::Unhealthy),
    ];
    for (critical, warning, expected) in cases {
        let mut monitor = Monitor::new();
        let answer = |outcome: Result<(), ()>| {
            from_fn(move || outcome.map(|()| String::new()).map_err(|()| "down".into()))
        };
        monitor
            .register("critical", Criticality::Critical, Duration::from_secs(1), answer(critical))
            .unwrap();
        monitor
            .register("warning", Criticality::Warning, Duration::from_secs(1), answer(warning))
            .unwrap();
        let report = monitor.run().await;
        assert_eq!(report.status(), expected, "critical {critical:?}, warning {warning:?}");
        let failed = usize::from(critical.is_err()) + usize::from(warning.is_err());
        assert_eq!((report.failures().count(), report.coverage()), (failed, 1.0));
    }
}
