//! Unit tests of the hook runner: criticality, fallbacks, breakers, panics and timeouts.

use super::*;
use crate::breaker::BreakerConfig;
use crate::error::CallbackError;
use crate::event::{DisconnectReason, EventStream};
use futures::StreamExt;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::Mutex;
use ws_core::Criticality;

fn hooks() -> (Hooks<()>, EventStream) {
    let events = EventBus::new(64);
    let stream = events.subscribe();
    (Hooks::new(events, CallbackDefaults::default()), stream)
}

fn context(hook: Hook) -> HookContext<()> {
    HookContext::new(hook, 1, Arc::new(Mutex::new(Some(()))))
}

fn failing(name: &str, criticality: Criticality) -> Callback<()> {
    Callback::new(name, criticality, |_| async { Err::<(), CallbackError>("boom".into()) })
}

fn ok(name: &str) -> Callback<()> {
    Callback::new(name, Criticality::Critical, |_| async { Ok(()) })
}

fn drain(stream: &mut EventStream) -> Vec<Event> {
    let mut events = Vec::new();
    while let Some(Some(event)) = stream.next().now_or_never() {
        events.push(event);
    }
    events
}

fn failed(name: &str, hook: Hook, criticality: Criticality, failure: CallbackFailure) -> Event {
    Event::CallbackFailed { callback: name.into(), hook, criticality, failure }
}

#[tokio::test]
async fn a_failing_critical_callback_makes_the_connection_unusable() {
    let (mut hooks, mut events) = hooks();
    hooks.register(Hook::Connected, failing("resubscribe", Criticality::Critical));
    hooks.register(Hook::Connected, ok("after"));
    assert_eq!(hooks.run(context(Hook::Connected)).await, Err("resubscribe".into()));
    let error = CallbackFailure::Error("boom".into());
    let expected = failed("resubscribe", Hook::Connected, Criticality::Critical, error);
    assert_eq!(drain(&mut events), vec![expected]);
}

#[tokio::test]
async fn a_failing_warning_callback_is_reported_and_the_connection_goes_on() {
    let (mut hooks, mut events) = hooks();
    let ran = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&ran);
    hooks.register(Hook::Connected, failing("telemetry", Criticality::Warning));
    hooks.register(
        Hook::Connected,
        Callback::new("count", Criticality::Critical, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        }),
    );
    assert_eq!(hooks.run(context(Hook::Connected)).await, Ok(()));
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert!(matches!(
        &drain(&mut events)[..],
        [Event::CallbackFailed { criticality: Criticality::Warning, .. }]
    ));
}

#[tokio::test]
async fn a_fallback_saves_a_critical_callback_and_a_failing_fallback_is_reported() {
    let (mut hooks, mut events) = hooks();
    let saved = failing("resume", Criticality::Critical).with_fallback(|_| async { Ok(()) });
    hooks.register(Hook::Connected, saved);
    assert_eq!(hooks.run(context(Hook::Connected)).await, Ok(()));
    assert!(drain(&mut events).last() == Some(&Event::FallbackUsed { callback: "resume".into() }));

    let (mut hooks, mut events) = self::hooks();
    let broken = failing("resume", Criticality::Critical)
        .with_fallback(|_| async { Err::<(), CallbackError>("fallback down".into()) });
    hooks.register(Hook::Connected, broken);
    assert_eq!(hooks.run(context(Hook::Connected)).await, Err("resume".into()));
    let failure = CallbackFailure::Error("fallback down".into());
    assert_eq!(
        drain(&mut events).last(),
        Some(&Event::FallbackFailed { callback: "resume".into(), failure })
    );
}

#[tokio::test(start_paused = true)]
async fn the_breaker_opens_skips_to_the_fallback_half_opens_and_closes() {
    let (mut hooks, mut events) = hooks();
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    let callback = Callback::new("sync", Criticality::Critical, move |_| {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if call < 2 {
                Err::<(), CallbackError>("down".into())
            } else {
                Ok(())
            }
        }
    });
    let breaker = BreakerConfig::new(2, Duration::from_secs(30));
    hooks.register(
        Hook::Connected,
        callback.with_breaker(breaker).with_fallback(|_| async { Ok(()) }),
    );
    for _ in 0..3 {
        assert_eq!(hooks.run(context(Hook::Connected)).await, Ok(()));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the open breaker skipped the third run");
    let seen = drain(&mut events);
    assert!(seen.contains(&Event::CircuitOpened { callback: "sync".into() }));
    let skipped =
        failed("sync", Hook::Connected, Criticality::Critical, CallbackFailure::CircuitOpen);
    assert!(seen.contains(&skipped));
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(hooks.run(context(Hook::Connected)).await, Ok(()));
    let expected = vec![
        Event::CircuitHalfOpened { callback: "sync".into() },
        Event::CircuitClosed { callback: "sync".into() },
    ];
    assert_eq!(drain(&mut events), expected);
}

#[tokio::test(start_paused = true)]
async fn panics_and_timeouts_are_failures() {
    let (mut hooks, mut events) = hooks();
    let panicking = Callback::new("panics", Criticality::Warning, |_| async { panic!("bug") });
    let slow = Callback::new("slow", Criticality::Warning, |_| async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        Ok(())
    });
    hooks.register(Hook::Disconnected, panicking);
    hooks.register(Hook::Disconnected, slow.with_timeout(Duration::from_secs(1)));
    assert_eq!(hooks.run(context(Hook::Disconnected)).await, Ok(()));
    let failures: Vec<_> = drain(&mut events)
        .into_iter()
        .filter_map(|event| match event {
            Event::CallbackFailed { failure, .. } => Some(failure),
            _ => None,
        })
        .collect();
    let panicked = CallbackFailure::Panicked("bug".into());
    assert_eq!(failures, vec![panicked, CallbackFailure::TimedOut]);
}

#[tokio::test]
async fn on_disconnected_runs_every_callback_even_after_a_critical_failure() {
    let (mut hooks, _events) = hooks();
    let ran = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&ran);
    hooks.register(Hook::Disconnected, failing("persist", Criticality::Critical));
    hooks.register(
        Hook::Disconnected,
        Callback::new("notify", Criticality::Warning, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        }),
    );
    hooks.register(Hook::Connected, failing("other hook", Criticality::Critical));
    assert_eq!(hooks.run(context(Hook::Disconnected)).await, Err("persist".into()));
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

#[test]
fn callback_failures_are_counted_by_name_and_reason() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    ::metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (mut hooks, _events) = hooks();
            hooks.register(Hook::Connected, failing("resubscribe", Criticality::Critical));
            let _ = hooks.run(context(Hook::Connected)).await;
        });
    });
    let counted = snapshotter.snapshot().into_vec().into_iter().find(|(key, ..)| {
        let key = key.key();
        key.name() == crate::metrics::CALLBACK_FAILURES_TOTAL
            && key.labels().any(|label| label.key() == "callback" && label.value() == "resubscribe")
            && key.labels().any(|label| label.key() == "reason" && label.value() == "error")
    });
    assert!(matches!(counted, Some((_, _, _, DebugValue::Counter(1)))), "{counted:?}");
}

#[tokio::test]
async fn on_disconnected_callbacks_see_the_reason_and_no_connection() {
    // Critical: a failed assertion inside (a caught panic) makes the run fail.
    let (mut hooks, _events) = hooks();
    let callback =
        Callback::new("inspect", Criticality::Critical, |context: HookContext<()>| async move {
            assert_eq!(context.hook(), Hook::Disconnected);
            assert_eq!(context.attempt(), 4);
            assert_eq!(context.disconnect_reason(), Some(&DisconnectReason::StreamEnded));
            assert!(context.connection().await.is_none());
            Ok(())
        });
    assert_eq!((callback.name(), callback.criticality()), ("inspect", Criticality::Critical));
    hooks.register(Hook::Disconnected, callback);
    let context = HookContext::disconnected(4, DisconnectReason::StreamEnded);
    assert_eq!(hooks.run(context).await, Ok(()));
}

/// The `ws_reconnect_breakers` gauge of `callback` in `state`, from a snapshot.
fn breakers(snapshot: &[(String, String, f64)], state: &str) -> f64 {
    snapshot.iter().find(|(_, label, _)| label == state).map_or(0.0, |(.., value)| *value)
}

#[test]
fn breaker_counts_add_up_over_every_reconnector_of_the_process() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let read = || -> Vec<(String, String, f64)> {
        let gauges =
            snapshotter.snapshot().into_vec().into_iter().filter_map(|(key, .., value)| {
                let key = key.key();
                let state = key.labels().find(|label| label.key() == "state")?.value().to_owned();
                let DebugValue::Gauge(value) = value else { return None };
                (key.name() == crate::metrics::BREAKERS)
                    .then(|| ("sync".to_owned(), state, value.0))
            });
        gauges.collect()
    };
    let (open, closed) = ::metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (mut broken, _events) = hooks();
            let breaker = BreakerConfig::new(1, Duration::from_secs(30));
            broken.register(
                Hook::Connected,
                failing("sync", Criticality::Warning).with_breaker(breaker),
            );
            let (mut healthy, _events) = hooks();
            healthy.register(Hook::Connected, ok("sync"));
            let _ = broken.run(context(Hook::Connected)).await;
            let during = read();
            drop((broken, healthy));
            (breakers(&during, "open"), breakers(&during, "closed"))
        })
    });
    assert_eq!(
        (open, closed),
        (1.0, 1.0),
        "one open and one closed, neither overwriting the other"
    );
    let after = read(); // a snapshot drains the gauges: this reads the change since `during`
    let totals = (open + breakers(&after, "open"), closed + breakers(&after, "closed"));
    assert_eq!(totals, (0.0, 0.0), "dropped reconnectors leave the counts");
}
