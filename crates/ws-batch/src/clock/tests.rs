//! Unit tests of entry times: the round trip through ticks and the saturating edges.

use super::{Epoch, Ticks};
use std::time::Duration;
use tokio::time::Instant;

#[test]
fn ticks_round_trip_to_the_nanosecond() {
    let epoch = Epoch::now();
    let later = Instant::now() + Duration::from_nanos(1_234_567_891);
    assert_eq!(epoch.instant(epoch.ticks(later)), later);
    assert!(epoch.ticks(later) > Ticks::default());
}

#[test]
fn an_instant_before_the_epoch_counts_as_the_epoch() {
    let before = Instant::now();
    let epoch = Epoch::now();
    assert_eq!(epoch.ticks(before), Ticks::default());
    assert_eq!(epoch.instant(Ticks::default()), epoch.instant(epoch.ticks(before)));
}

#[test]
fn thirty_years_fit() {
    let epoch = Epoch::now();
    let far = Instant::now() + Duration::from_secs(86_400 * 365 * 30);
    assert_eq!(epoch.instant(epoch.ticks(far)), far);
}

#[test]
fn the_time_between_ticks_is_never_negative() {
    let epoch = Epoch::now();
    let start = epoch.instant(Ticks::default());
    let earlier = epoch.ticks(start + Duration::from_millis(5));
    let later = epoch.ticks(start + Duration::from_millis(1005));
    assert_eq!(later.since(earlier), Duration::from_secs(1));
    assert_eq!(earlier.since(later), Duration::ZERO);
}
