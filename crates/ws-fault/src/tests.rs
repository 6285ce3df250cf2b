//! Unit tests of the fault module: configuration, seeded plans, counters, and the stream
//! wrapper over an in-memory duplex pipe.

use super::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::io::ErrorKind;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

fn only(kind: FaultKind, rate: f64) -> FaultConfig {
    FaultConfig::seeded(42).with_rate(kind, rate)
}

fn decisions(config: &FaultConfig, count: usize) -> Vec<(Option<FaultKind>, Option<FaultKind>)> {
    let mut plan = FaultPlan::new(config.clone());
    (0..count).map(|_| (plan.next_write(), plan.next_read())).collect()
}

fn busy(seed: u64) -> FaultConfig {
    let config = FaultConfig::seeded(seed).with_rate(FaultKind::WriteError, 0.2);
    let config = config.with_rate(FaultKind::Kill, 0.05).with_rate(FaultKind::Delay, 0.3);
    config.with_rate(FaultKind::Stall, 0.3)
}

#[test]
fn rates_outside_zero_to_one_are_refused() {
    for rate in [-0.1, 1.01, f64::NAN, f64::INFINITY] {
        let refused = FaultInjector::new(only(FaultKind::Stall, rate)).unwrap_err();
        assert!(matches!(refused, FaultError::InvalidRate { kind: FaultKind::Stall, .. }));
        assert!(refused.to_string().starts_with("stall rate"));
    }
    assert!(FaultInjector::new(only(FaultKind::Kill, 1.0)).is_ok());
    assert!(FaultInjector::new(only(FaultKind::Kill, 0.0)).is_ok());
}

#[test]
fn the_same_seed_gives_the_same_faults() {
    assert_eq!(decisions(&busy(1), 1000), decisions(&busy(1), 1000));
    assert_ne!(decisions(&busy(1), 1000), decisions(&busy(2), 1000));
}

/// Expected over 10,000 writes and reads: kills 1000, write errors 0.95 * 0.2 * 10,000 = 1900,
/// delays 0.95 * 0.8 * 0.3 * 10,000 = 2280, stalls 0.95 * 0.3 * 10,000 = 2850.
#[test]
fn every_kind_occurs_near_its_rate() {
    let all = decisions(&busy(9), 10_000);
    let writes = |kind| all.iter().filter(|(write, _)| *write == Some(kind)).count();
    let reads = |kind| all.iter().filter(|(_, read)| *read == Some(kind)).count();
    assert!((850..=1150).contains(&(writes(FaultKind::Kill) + reads(FaultKind::Kill))));
    assert!((1700..=2100).contains(&writes(FaultKind::WriteError)));
    assert!((2050..=2500).contains(&writes(FaultKind::Delay)));
    assert!((2600..=3100).contains(&reads(FaultKind::Stall)));
}

#[test]
fn zero_rates_never_fault() {
    let all = decisions(&FaultConfig::seeded(3), 1000);
    assert!(all.iter().all(|pair| *pair == (None, None)));
}

#[test]
fn each_wrapped_stream_gets_its_own_seed() {
    let seeds: Vec<_> = (0..100).map(|index| stream_seed(5, index)).collect();
    assert!(seeds.iter().enumerate().all(|(i, seed)| !seeds[i + 1..].contains(seed)));
    assert_ne!(stream_seed(5, 0), stream_seed(6, 0));
}

#[test]
fn stats_count_per_kind_and_feed_the_metric() {
    let recorder = DebuggingRecorder::new();
    let stats = FaultStats::new();
    metrics::with_local_recorder(&recorder, || {
        stats.record(FaultKind::Delay);
        stats.record(FaultKind::Delay);
        stats.clone().record(FaultKind::Kill);
    });
    assert_eq!(stats.count(FaultKind::Delay), 2);
    assert_eq!(stats.total(), 3);
    assert_eq!(stats.snapshot()[FaultKind::Kill.index()], (FaultKind::Kill, 1));
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let delays = snapshot.iter().find(|(key, ..)| {
        let key = key.key();
        key.name() == "ws_fault_injected_total" && key.labels().any(|l| l.value() == "delay")
    });
    assert!(matches!(delays, Some((_, _, _, DebugValue::Counter(2)))));
}

#[tokio::test]
async fn a_failed_write_leaves_the_stream_usable() {
    let injector = FaultInjector::new(only(FaultKind::WriteError, 1.0)).unwrap();
    let (near, mut far) = tokio::io::duplex(64);
    let mut stream = injector.wrap(near);
    let error = stream.write_all(b"lost").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Other);
    assert_eq!(Injected::cause_of(&error), Some(FaultKind::WriteError));
    assert_eq!(error.to_string(), "write failed by fault injection");
    assert_eq!(Injected::cause_of(&std::io::Error::other("real")), None);
    injector.set_enabled(false);
    stream.write_all(b"kept").await.unwrap();
    let mut received = [0; 4];
    far.read_exact(&mut received).await.unwrap();
    assert_eq!(&received, b"kept");
    assert_eq!(injector.stats().count(FaultKind::WriteError), 1);
}

#[tokio::test]
async fn a_killed_stream_resets_forever_and_the_peer_sees_eof() {
    let injector = FaultInjector::new(only(FaultKind::Kill, 1.0)).unwrap();
    let (near, mut far) = tokio::io::duplex(64);
    let mut stream = injector.wrap(near);
    assert_eq!(stream.read(&mut [0; 4]).await.unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert!(stream.is_killed() && stream.get_ref().is_none());
    assert_eq!(stream.write(b"x").await.unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert_eq!(stream.flush().await.unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert_eq!(stream.shutdown().await.unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert_eq!(far.read(&mut [0; 4]).await.unwrap(), 0);
    stream.kill();
    assert_eq!(injector.stats().count(FaultKind::Kill), 1);
}

#[tokio::test]
async fn a_manual_kill_is_counted_once() {
    let injector = FaultInjector::new(FaultConfig::seeded(0)).unwrap();
    let (near, _far) = tokio::io::duplex(64);
    let mut stream = injector.wrap(near);
    assert!(stream.get_ref().is_some());
    stream.kill();
    stream.kill();
    assert_eq!(injector.stats().total(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_delayed_write_waits_on_tokio_time() {
    let config = only(FaultKind::Delay, 1.0).with_durations(Duration::from_secs(5), DEFAULT_STALL);
    let injector = FaultInjector::new(config).unwrap();
    let (near, mut far) = tokio::io::duplex(64);
    let mut stream = injector.wrap(near);
    let start = Instant::now();
    stream.write_all(b"late").await.unwrap();
    stream.flush().await.unwrap();
    assert!(Instant::now() - start >= Duration::from_secs(5));
    let mut received = [0; 4];
    far.read_exact(&mut received).await.unwrap();
    assert_eq!(&received, b"late");
    assert!(injector.stats().count(FaultKind::Delay) >= 1);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_read_is_held_for_the_stall() {
    let config = only(FaultKind::Stall, 1.0).with_durations(DEFAULT_DELAY, Duration::from_secs(3));
    let injector = FaultInjector::new(config).unwrap();
    assert!(injector.is_enabled());
    assert_eq!(injector.config().stall, Duration::from_secs(3));
    let (near, mut far) = tokio::io::duplex(64);
    let mut stream = injector.wrap(near);
    far.write_all(b"held").await.unwrap();
    let start = Instant::now();
    let mut received = [0; 4];
    stream.read_exact(&mut received).await.unwrap();
    assert!(Instant::now() - start >= Duration::from_secs(3));
    assert_eq!(&received, b"held");
    assert_eq!(injector.stats().count(FaultKind::Stall), 1);
}

#[tokio::test]
async fn a_kill_from_the_write_side_wakes_a_pending_read() {
    let injector = FaultInjector::new(only(FaultKind::Kill, 1.0)).unwrap();
    injector.set_enabled(false);
    let (near, _far) = tokio::io::duplex(64);
    let (mut reader, mut writer) = tokio::io::split(injector.wrap(near));
    let pending_read = tokio::spawn(async move { reader.read(&mut [0; 4]).await });
    tokio::task::yield_now().await;
    injector.set_enabled(true);
    assert_eq!(writer.write(b"x").await.unwrap_err().kind(), ErrorKind::ConnectionReset);
    let read = pending_read.await.unwrap();
    assert_eq!(read.unwrap_err().kind(), ErrorKind::ConnectionReset);
}

const UPGRADE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
const TEXT: &[u8] = &[0x81, 0x02, b'h', b'i'];
const CLOSE: &[u8] = &[0x88, 0x02, 0x03, 0xE8];

#[test]
fn failed_close_is_a_kind_with_its_own_rate() {
    assert_eq!(FaultKind::ALL.len(), FaultKind::COUNT);
    assert!(FaultKind::ALL.iter().enumerate().all(|(index, kind)| kind.index() == index));
    assert_eq!(FaultKind::FailedClose.to_string(), "failed_close");
    let failures = FaultKind::ALL.map(FaultKind::failure);
    assert!(failures.iter().enumerate().all(|(i, text)| !failures[i + 1..].contains(text)));
    let config = only(FaultKind::FailedClose, 0.25);
    assert_eq!((config.rate(FaultKind::FailedClose), config.rate(FaultKind::Kill)), (0.25, 0.0));
    let refused = FaultInjector::new(only(FaultKind::FailedClose, 2.0)).unwrap_err();
    assert!(matches!(refused, FaultError::InvalidRate { kind: FaultKind::FailedClose, .. }));
}

#[tokio::test(start_paused = true)]
async fn a_failed_close_lets_earlier_frames_out_then_silences_the_stream() {
    let injector = FaultInjector::new(only(FaultKind::FailedClose, 1.0)).unwrap();
    let (near, mut far) = tokio::io::duplex(256);
    let mut stream = injector.wrap(near);
    stream.write_all(UPGRADE).await.unwrap();
    let error = stream.write_all(&[TEXT, CLOSE].concat()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BrokenPipe);
    assert_eq!(Injected::cause_of(&error), Some(FaultKind::FailedClose));
    assert!(stream.close_failed());
    let mut received = vec![0; UPGRADE.len() + TEXT.len()];
    far.read_exact(&mut received).await.unwrap();
    assert_eq!(&received[UPGRADE.len()..], TEXT);
    far.write_all(CLOSE).await.unwrap();
    let read = tokio::time::timeout(Duration::from_secs(3600), stream.read(&mut [0; 8])).await;
    assert!(read.is_err(), "nothing comes in after a failed close");
    assert_eq!(stream.write(CLOSE).await.unwrap_err().kind(), ErrorKind::BrokenPipe);
    assert_eq!(injector.stats().count(FaultKind::FailedClose), 1);
    stream.kill();
    assert_eq!(stream.read(&mut [0; 8]).await.unwrap_err().kind(), ErrorKind::ConnectionReset);
}

#[tokio::test]
async fn once_the_peer_closed_no_fault_is_drawn() {
    let config = only(FaultKind::Kill, 1.0).with_rate(FaultKind::FailedClose, 1.0);
    let injector = FaultInjector::new(config).unwrap();
    injector.set_enabled(false);
    let (near, mut far) = tokio::io::duplex(256);
    let mut stream = injector.wrap(near);
    far.write_all(&[UPGRADE, CLOSE].concat()).await.unwrap();
    stream.read_exact(&mut vec![0; UPGRADE.len() + CLOSE.len()]).await.unwrap();
    injector.set_enabled(true);
    stream.write_all(CLOSE).await.unwrap();
    stream.write_all(TEXT).await.unwrap();
    drop(far);
    assert_eq!(stream.read(&mut [0; 8]).await.unwrap(), 0);
    assert_eq!(injector.stats().total(), 0);
}

#[tokio::test]
async fn an_eof_ends_injection_and_a_spared_close_is_not_drawn_again() {
    let injector = FaultInjector::new(only(FaultKind::Kill, 1.0)).unwrap();
    injector.set_enabled(false);
    let (near, far) = tokio::io::duplex(256);
    let mut stream = injector.wrap(near);
    drop(far);
    assert_eq!(stream.read(&mut [0; 8]).await.unwrap(), 0);
    injector.set_enabled(true);
    assert_eq!(stream.read(&mut [0; 8]).await.unwrap(), 0);
    assert_eq!(injector.stats().total(), 0);

    let spared = FaultInjector::new(only(FaultKind::FailedClose, 1.0)).unwrap();
    spared.set_enabled(false);
    let (near, _far) = tokio::io::duplex(256);
    let mut stream = spared.wrap(near);
    stream.write_all(&[UPGRADE, CLOSE].concat()).await.unwrap();
    spared.set_enabled(true);
    stream.write_all(CLOSE).await.unwrap();
    assert!(!stream.close_failed() && spared.stats().total() == 0);
}

#[tokio::test]
async fn once_one_end_of_a_pair_is_over_the_other_draws_nothing() {
    let injector = FaultInjector::new(only(FaultKind::Kill, 1.0)).unwrap();
    let (pair, (near, far)) = (Pair::new(), tokio::io::duplex(64));
    let (mut near, mut far) = (injector.wrap_paired(near, &pair), injector.wrap_paired(far, &pair));
    assert!(!pair.is_over());
    assert!(near.write_all(b"x").await.is_err(), "the first end is killed");
    assert!(pair.is_over());
    assert_eq!(far.read(&mut [0; 4]).await.unwrap(), 0, "an EOF, not a second kill");
    assert_eq!(injector.stats().count(FaultKind::Kill), 1);

    let (pair, (near, far)) = (Pair::new(), tokio::io::duplex(64));
    injector.set_enabled(false);
    let (near, mut far) = (injector.wrap_paired(near, &pair), injector.wrap_paired(far, &pair));
    injector.set_enabled(true);
    drop(near);
    assert_eq!(far.read(&mut [0; 4]).await.unwrap(), 0);
    assert_eq!(injector.stats().count(FaultKind::Kill), 1, "a dropped end ends the pair");
}

#[tokio::test]
async fn an_armed_injector_injects_exactly_its_budget_across_streams_then_stops() {
    let injector = FaultInjector::new(only(FaultKind::Kill, 1.0)).unwrap();
    injector.set_enabled(false);
    let (nears, _fars): (Vec<_>, Vec<_>) = (0..3).map(|_| tokio::io::duplex(64)).unzip();
    let mut streams: Vec<_> = nears.into_iter().map(|near| injector.wrap(near)).collect();
    injector.arm(1);
    assert!(injector.is_enabled());
    assert!(streams[0].write(b"x").await.is_err(), "the armed fault strikes");
    assert!(!injector.is_enabled(), "spent, the switch is off");
    for stream in &mut streams[1..] {
        assert_eq!(stream.write(b"y").await.unwrap(), 1, "no fault past the budget");
    }
    assert_eq!(injector.stats().count(FaultKind::Kill), 1);
    injector.arm(2);
    assert!(streams[1].write(b"z").await.is_err());
    assert!(injector.is_enabled(), "one fault left");
    injector.set_enabled(true);
    assert!(streams[2].write(b"w").await.is_err());
    assert!(injector.is_enabled(), "on without limit");
}
