//! Unit tests of the runtime switches and the rollback guard.

use super::*;
use std::time::Duration;

fn ids(count: usize) -> Vec<SessionId> {
    (0..count).map(|_| SessionId::generate().unwrap()).collect()
}

fn share(rollout: &Rollout, fix: Fix, sessions: &[SessionId]) -> usize {
    sessions.iter().filter(|id| rollout.enabled_for(fix, id)).count()
}

#[test]
fn every_fix_starts_on_for_everyone() {
    let rollout = Rollout::new();
    for fix in Fix::ALL {
        assert_eq!(rollout.setting(fix), Setting::On);
        assert!(rollout.is_on(fix));
    }
    assert_eq!(share(&rollout, Fix::Batch, &ids(200)), 200);
}

#[test]
fn off_turns_a_fix_off_for_every_session_and_on_turns_it_back() {
    let (rollout, sessions) = (Rollout::new(), ids(200));
    assert_eq!(rollout.set(Fix::Sync, Setting::Off), Ok(Setting::On));
    assert_eq!(share(&rollout, Fix::Sync, &sessions), 0);
    assert!(!rollout.is_on(Fix::Sync));
    assert_eq!(rollout.set(Fix::Sync, Setting::On), Ok(Setting::Off));
    assert_eq!(share(&rollout, Fix::Sync, &sessions), 200);
}

#[test]
fn a_percentage_covers_about_that_share_and_only_grows() {
    let (rollout, sessions) = (Rollout::new(), ids(4000));
    rollout.set(Fix::Batch, Setting::Percent(10)).unwrap();
    let ten: Vec<_> = sessions.iter().filter(|id| rollout.enabled_for(Fix::Batch, id)).collect();
    assert!((300..=500).contains(&ten.len()), "10% of 4000 gave {}", ten.len());
    rollout.set(Fix::Batch, Setting::Percent(50)).unwrap();
    assert!(ten.iter().all(|id| rollout.enabled_for(Fix::Batch, id)), "a 10% session left");
    let half = share(&rollout, Fix::Batch, &sessions);
    assert!((1800..=2200).contains(&half), "50% of 4000 gave {half}");
}

#[test]
fn a_session_keeps_its_side_while_the_setting_stays() {
    let (rollout, sessions) = (Rollout::new(), ids(100));
    rollout.set(Fix::Reconnect, Setting::Percent(30)).unwrap();
    let first: Vec<bool> =
        sessions.iter().map(|id| rollout.enabled_for(Fix::Reconnect, id)).collect();
    let again: Vec<bool> =
        sessions.iter().map(|id| rollout.enabled_for(Fix::Reconnect, id)).collect();
    assert_eq!(first, again);
}

#[test]
fn process_wide_fixes_refuse_a_percentage() {
    let rollout = Rollout::new();
    let refused = rollout.set(Fix::Conn, Setting::Percent(40));
    assert_eq!(refused, Err(RolloutError::NotPerSession { fix: Fix::Conn, percent: 40 }));
    assert_eq!(rollout.setting(Fix::Conn), Setting::On);
    assert_eq!(rollout.set(Fix::Monitor, Setting::Off), Ok(Setting::On));
    assert!(!rollout.is_on(Fix::Monitor));
}

#[test]
fn settings_and_fixes_parse_from_text() {
    assert_eq!("off".parse::<Setting>(), Ok(Setting::Off));
    assert_eq!(" on ".parse::<Setting>(), Ok(Setting::On));
    assert_eq!("25%".parse::<Setting>(), Ok(Setting::Percent(25)));
    assert_eq!("0".parse::<Setting>(), Ok(Setting::Off));
    assert_eq!("100%".parse::<Setting>(), Ok(Setting::On));
    assert_eq!("101%".parse::<Setting>(), Err(RolloutError::InvalidPercent(101)));
    assert!(matches!("half".parse::<Setting>(), Err(RolloutError::InvalidSetting(_))));
    assert_eq!("conn".parse::<Fix>(), Ok(Fix::Conn));
    assert!(matches!("cache".parse::<Fix>(), Err(RolloutError::UnknownFix(_))));
    let shown: Vec<String> =
        [Setting::Off, Setting::On, Setting::Percent(7)].map(|s| s.to_string()).into();
    assert_eq!(shown, ["off", "on", "7%"]);
    assert_eq!(Fix::ALL.map(|fix| fix.to_string()).join(","), "batch,sync,conn,reconnect,monitor");
}

#[test]
fn every_change_is_an_event() {
    let rollout = Rollout::new();
    let mut events = rollout.events();
    rollout.set(Fix::Batch, Setting::Percent(5)).unwrap();
    let change =
        RolloutEvent::Changed { fix: Fix::Batch, from: Setting::On, to: Setting::Percent(5) };
    assert_eq!(events.try_recv().unwrap(), change);
}

#[test]
fn guard_configs_are_checked() {
    assert!(GuardConfig::new(Duration::ZERO, 0.1, 10).is_err());
    assert!(GuardConfig::new(Duration::from_secs(1), 1.5, 10).is_err());
    assert!(GuardConfig::new(Duration::from_secs(1), f64::NAN, 10).is_err());
    let config = GuardConfig::new(Duration::from_secs(30), 0.2, 10).unwrap();
    assert_eq!(
        (config.window(), config.max_error_rate(), config.min_samples()),
        (Duration::from_secs(30), 0.2, 10)
    );
    assert_eq!(GuardConfig::default().min_samples(), 100);
}

fn guarded(fix: Fix, rate: f64, samples: u64) -> Rollout {
    let rollout = Rollout::new();
    rollout.guard(fix, GuardConfig::new(Duration::from_secs(10), rate, samples).unwrap());
    rollout
}

#[tokio::test(start_paused = true)]
async fn the_guard_turns_the_fix_off_on_an_error_spike_with_an_event() {
    let rollout = guarded(Fix::Sync, 0.1, 20);
    let mut events = rollout.events();
    (0..100).for_each(|_| rollout.record(Fix::Sync, true));
    assert_eq!(rollout.setting(Fix::Sync), Setting::On, "healthy outcomes never trip it");
    (0..12).for_each(|_| rollout.record(Fix::Sync, false));
    assert_eq!(rollout.setting(Fix::Sync), Setting::Off);
    match events.try_recv().unwrap() {
        RolloutEvent::RolledBack { fix, from, error_rate, samples } => {
            assert_eq!((fix, from, samples), (Fix::Sync, Setting::On, 112));
            assert!((error_rate - 12.0 / 112.0).abs() < 1e-9);
        }
        other => panic!("expected a rollback, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_guard_waits_for_enough_samples() {
    let rollout = guarded(Fix::Batch, 0.1, 50);
    (0..49).for_each(|_| rollout.record(Fix::Batch, false));
    assert_eq!(rollout.setting(Fix::Batch), Setting::On);
    rollout.record(Fix::Batch, false);
    assert_eq!(rollout.setting(Fix::Batch), Setting::Off);
}

#[tokio::test(start_paused = true)]
async fn old_failures_slide_out_of_the_window() {
    let rollout = guarded(Fix::Conn, 0.5, 10);
    (0..9).for_each(|_| rollout.record(Fix::Conn, false));
    tokio::time::advance(Duration::from_secs(11)).await;
    (0..9).for_each(|_| rollout.record(Fix::Conn, true));
    rollout.record(Fix::Conn, false);
    assert_eq!(
        rollout.setting(Fix::Conn),
        Setting::On,
        "the first failures are outside the window"
    );
}

#[tokio::test(start_paused = true)]
async fn a_fix_turned_on_again_is_watched_by_a_fresh_window() {
    let rollout = guarded(Fix::Batch, 0.1, 10);
    let mut events = rollout.events();
    (0..10).for_each(|_| rollout.record(Fix::Batch, false));
    rollout.set(Fix::Batch, Setting::Percent(20)).unwrap();
    (0..9).for_each(|_| rollout.record(Fix::Batch, false));
    assert_eq!(rollout.setting(Fix::Batch), Setting::Percent(20), "the window restarted");
    rollout.record(Fix::Batch, false);
    assert_eq!(rollout.setting(Fix::Batch), Setting::Off);
    let kinds: Vec<_> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    assert_eq!(kinds.len(), 3, "rollback, change, rollback: {kinds:?}");
}

#[tokio::test(start_paused = true)]
async fn a_fix_already_off_is_not_rolled_back_again_and_disarm_stops_the_guard() {
    let rollout = guarded(Fix::Sync, 0.1, 5);
    rollout.set(Fix::Sync, Setting::Off).unwrap();
    let mut events = rollout.events();
    (0..20).for_each(|_| rollout.record(Fix::Sync, false));
    assert!(events.try_recv().is_err(), "no rollback of a fix already off");
    rollout.set(Fix::Sync, Setting::On).unwrap();
    rollout.disarm(Fix::Sync);
    (0..20).for_each(|_| rollout.record(Fix::Sync, false));
    assert_eq!(rollout.setting(Fix::Sync), Setting::On);
}

#[test]
fn metrics_follow_the_switches_and_the_guard() {
    use metrics_util::debugging::DebuggingRecorder;
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let rollout = Rollout::new();
        rollout.set(Fix::Batch, Setting::Percent(25)).unwrap();
        rollout.guard(Fix::Sync, GuardConfig::new(Duration::from_secs(60), 0.0, 1).unwrap());
        rollout.record(Fix::Sync, false);
    });
    let names: Vec<String> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, ..)| {
            let labels: Vec<String> = key
                .key()
                .labels()
                .map(|label| format!("{}={}", label.key(), label.value()))
                .collect();
            format!("{}{{{}}}", key.key().name(), labels.join(","))
        })
        .collect();
    for expected in [
        "ws_reliability_rollout_percent{fix=batch}",
        "ws_reliability_rollout_outcomes_total{fix=sync,outcome=failure}",
        "ws_reliability_rollbacks_total{fix=sync}",
    ] {
        assert!(names.iter().any(|name| name == expected), "{expected} missing from {names:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn counted_outcomes_weigh_as_much_as_single_ones() {
    let rollout = guarded(Fix::Batch, 0.1, 50);
    rollout.record_counts(Fix::Batch, Outcomes::successes(90));
    rollout.record_counts(Fix::Batch, Outcomes { successes: 0, failures: 10 });
    assert_eq!(rollout.setting(Fix::Batch), Setting::On, "10 of 100 is not above 10%");
    rollout.record_counts(Fix::Batch, Outcomes::one(false));
    assert_eq!(rollout.setting(Fix::Batch), Setting::Off);
}

#[test]
fn counted_outcomes_are_counted_by_outcome() {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        Rollout::new().record_counts(Fix::Sync, Outcomes { successes: 64, failures: 2 });
    });
    let name = "ws_reliability_rollout_outcomes_total";
    let counts = crate::testing::counters_by(&snapshotter, name, "outcome");
    assert_eq!((counts.get("success"), counts.get("failure")), (Some(&64), Some(&2)), "{counts:?}");
}
