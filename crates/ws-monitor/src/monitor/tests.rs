//! Unit tests of registration, history and periodic runs (paused clock).

use super::*;
use crate::check::from_fn;
use crate::periodic::MIN_INTERVAL;
use crate::report::HealthStatus;

fn ok_check() -> impl HealthCheck + 'static {
    from_fn(|| Ok(String::new()))
}

#[test]
fn duplicate_names_are_refused_with_the_name() {
    let mut monitor = Monitor::new();
    monitor.register("db", Criticality::Critical, Duration::from_secs(1), ok_check()).unwrap();
    let error = monitor
        .register("db", Criticality::Warning, Duration::from_secs(1), ok_check())
        .unwrap_err();
    assert!(matches!(&error, MonitorError::DuplicateCheck { name } if name == "db"));
    assert_eq!(error.to_string(), "a check named `db` is already registered");
    assert_eq!(monitor.len(), 1);
    assert!(!monitor.is_empty());
    assert!(format!("{monitor:?}").contains("db"));
}

#[tokio::test(start_paused = true)]
async fn runs_are_numbered_and_kept_in_a_bounded_history() {
    let mut monitor = Monitor::with_history_capacity(3);
    monitor.register("a", Criticality::Warning, Duration::from_secs(1), ok_check()).unwrap();
    assert!(monitor.latest().is_none());
    for _ in 0..5 {
        monitor.run().await;
    }
    let runs: Vec<u64> = monitor.history().iter().map(HealthReport::run).collect();
    assert_eq!(runs, [3, 4, 5]);
    assert_eq!(monitor.latest().unwrap().run(), 5);
}

#[tokio::test(start_paused = true)]
async fn periodic_runs_follow_the_interval_until_stopped() {
    let mut monitor = Monitor::with_history_capacity(4);
    monitor.register("a", Criticality::Warning, Duration::from_secs(1), ok_check()).unwrap();
    let monitor = Arc::new(monitor);
    let periodic = monitor.spawn_periodic(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(monitor.latest().map(|report| report.run()), Some(3), "runs at 0 s, 10 s and 20 s");
    assert!(periodic.is_running());
    tokio::time::sleep(Duration::from_secs(60)).await;
    let runs: Vec<u64> = monitor.history().iter().map(HealthReport::run).collect();
    assert_eq!(runs, [6, 7, 8, 9], "bounded to the last four");
    periodic.stop();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(monitor.latest().map(|report| report.run()), Some(9));
    assert_eq!(monitor.latest().unwrap().status(), HealthStatus::Healthy);
}

#[tokio::test(start_paused = true)]
async fn a_zero_interval_is_raised_to_the_minimum() {
    let monitor = Arc::new(Monitor::new());
    let periodic = monitor.spawn_periodic(Duration::ZERO);
    tokio::time::sleep(MIN_INTERVAL * 3).await;
    assert!(monitor.latest().unwrap().run() >= 3);
    drop(periodic);
}

#[tokio::test(start_paused = true)]
async fn an_interval_meant_as_never_runs_once_and_keeps_the_task_alive() {
    let monitor = Arc::new(Monitor::new());
    let periodic = monitor.spawn_periodic(Duration::MAX);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(periodic.is_running(), "the second tick did not overflow");
    assert_eq!(monitor.latest().map(|report| report.run()), Some(1));
}

#[tokio::test(start_paused = true)]
async fn a_history_capacity_meant_as_unbounded_does_not_preallocate() {
    let mut monitor = Monitor::with_history_capacity(usize::MAX);
    monitor.register("a", Criticality::Warning, Duration::from_secs(1), ok_check()).unwrap();
    monitor.run().await;
    assert_eq!(monitor.history().len(), 1);
}
