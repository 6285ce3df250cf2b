//! The heap trend's fit and standard error, on made-up samples.

use super::*;

/// A sample a minute for `hours` hours, the heap `live(minute, clients)`, the clients
/// connected drawn from `rng`.
fn minutes(
    hours: u64,
    rng: &mut fastrand::Rng,
    mut live: impl FnMut(u64, u64) -> u64,
) -> Vec<Sample> {
    let sample = |minute: u64| {
        let clients = rng.u64(40..100);
        let live_bytes = live(minute, clients);
        Sample { seconds: minute * 60 + 59, clients: clients as usize, live_bytes }
    };
    (0..hours * 60).map(sample).collect()
}

/// One sample at the end of each hour, the heaps given.
fn hourly(live: &[u64]) -> Vec<Sample> {
    let sample = |(index, bytes): (usize, &u64)| Sample {
        seconds: (index as u64 + 1) * 3600 - 1,
        clients: 0,
        live_bytes: *bytes,
    };
    live.iter().enumerate().map(sample).collect()
}

fn growth(live: &[u64]) -> Option<f64> {
    heap_trend(&hourly(live)).map(|trend| trend.bytes_per_hour)
}

#[test]
fn a_steady_heap_has_no_slope_and_a_leak_has_one() {
    assert_eq!(growth(&[900, 1000, 1000, 1000]), Some(0.0));
    assert_eq!(growth(&[5000, 1000, 1100, 1200]), Some(100.0));
    assert_eq!(growth(&[1000, 2000]), None, "a warm-up and one hour");
}

#[test]
fn the_connected_clients_are_factored_out_of_the_trend() {
    let mut rng = fastrand::Rng::with_seed(7);
    let leak = minutes(6, &mut rng, |minute, clients| 56_000 * clients + 100 * minute / 60);
    let trend = heap_trend(&leak).unwrap();
    assert!((trend.bytes_per_hour - 100.0).abs() < 1.0, "{trend:?}");
    assert!(trend.standard_error < 1.0, "an exact fit: {trend:?}");
    let steady = minutes(6, &mut rng, |_, clients| 56_000 * clients);
    assert!(heap_trend(&steady).unwrap().bytes_per_hour.abs() < 1e-3, "no leak, no trend");
}

/// Noise that lasts: a level redrawn every 30 minutes, as what the store keeps for an hour
/// or a restart's refill would be. The plain (uncorrelated) error would be about 5 times
/// smaller than the slope's real spread; the lagged one must cover it.
#[test]
fn the_standard_error_covers_noise_that_lasts() {
    let runs: Vec<HeapTrend> =
        (0..200).map(|seed| heap_trend(&lasting_noise(seed)).unwrap()).collect();
    let slopes: Vec<f64> = runs.iter().map(|trend| trend.bytes_per_hour).collect();
    let mean = slopes.iter().sum::<f64>() / slopes.len() as f64;
    let spread =
        slopes.iter().map(|slope| (slope - mean).powi(2)).sum::<f64>() / slopes.len() as f64;
    let errors = runs.iter().map(|trend| trend.standard_error).sum::<f64>() / runs.len() as f64;
    assert!(
        errors > 0.6 * spread.sqrt() && errors < 1.6 * spread.sqrt(),
        "{errors} against {}",
        spread.sqrt()
    );
    let shown = runs.iter().filter(|trend| trend.bytes_per_hour.abs() > 2.0 * trend.standard_error);
    assert!(shown.count() < 30, "a growth shown where there is none, too often");
}

/// 24 hours of a level redrawn every 30 minutes (±400 KB) plus a sample's own noise.
fn lasting_noise(seed: u64) -> Vec<Sample> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let levels: Vec<u64> = (0..48).map(|_| rng.u64(0..800_000)).collect();
    let mut noise = fastrand::Rng::with_seed(seed ^ 0xFFFF);
    minutes(24, &mut rng, |minute, clients| {
        let level = levels[(minute / 30) as usize];
        19_000_000 + 56_000 * clients + level + noise.u64(0..100_000)
    })
}

/// The quiet instants of 24 hours, every client connected, the heap `live(hour)`.
fn quiet_hours(live: impl Fn(u64) -> u64) -> Vec<Sample> {
    let sample =
        |hour: u64| Sample { seconds: hour * 3600 - 1, clients: 100, live_bytes: live(hour) };
    (1..=24).map(sample).collect()
}

#[test]
fn the_quiet_trend_is_the_plain_slope_after_the_first_hour() {
    let leak = quiet_trend(&quiet_hours(|hour| 20_000_000 + 12_000 * hour)).unwrap();
    assert!((leak.bytes_per_hour - 12_000.0).abs() < 1e-3, "{leak:?}");
    assert!(leak.standard_error < 1.0, "an exact fit: {leak:?}");
    assert_eq!(leak.samples, 23, "the first hour is the warm-up");
    let warm_up = |hour: u64| if hour == 1 { 10_000_000 } else { 20_000_000 };
    assert_eq!(quiet_trend(&quiet_hours(warm_up)).unwrap().bytes_per_hour, 0.0);
    assert!(quiet_trend(&quiet_hours(|_| 1)[..2]).is_none(), "a warm-up and one hour");
}

/// A quiet instant's own noise (±20 KB, what a link's burst buffer or a restart's refill
/// leaves) shows no growth, and the planted leak's 12 000 B/h stands out of it.
#[test]
fn the_quiet_trend_tells_a_leak_from_the_quiet_instants_noise() {
    let mut noise = fastrand::Rng::with_seed(11);
    let mut jitter: Vec<u64> = (0..=24).map(|_| noise.u64(0..40_000)).collect();
    let steady = quiet_trend(&quiet_hours(|hour| 20_000_000 + jitter[hour as usize])).unwrap();
    assert!(steady.bytes_per_hour.abs() < 2.0 * steady.standard_error + 1_000.0, "{steady:?}");
    jitter.iter_mut().enumerate().for_each(|(hour, bytes)| *bytes += 12_000 * hour as u64);
    let leak = quiet_trend(&quiet_hours(|hour| 20_000_000 + jitter[hour as usize])).unwrap();
    assert!(leak.bytes_per_hour - 2.0 * leak.standard_error > 9_000.0, "{leak:?}");
}
