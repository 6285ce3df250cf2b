//! The reader's two timers on a paused clock: both complete at the deadline, never
//! without one; the kept one stays armed across steps and is reset only for a sooner
//! deadline or once fired.

use super::{Fresh, Kept, StepTimer};
use std::time::Duration;
use tokio::time::Instant;

fn armed(timer: &Kept) -> Option<Instant> {
    timer.0.as_ref().map(|sleep| sleep.deadline())
}

#[tokio::test(start_paused = true)]
async fn both_complete_at_the_deadline_and_never_without_one() {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(3);
    Fresh::wait(Some(deadline), &mut Fresh).await;
    assert_eq!(Instant::now(), deadline);
    let mut kept = Kept::default();
    Kept::wait(Some(deadline + Duration::from_secs(1)), &mut kept).await;
    assert_eq!(Instant::now(), deadline + Duration::from_secs(1));
    assert!(futures::poll!(Box::pin(Fresh::wait(None, &mut Fresh))).is_pending());
    assert!(futures::poll!(Kept::wait(None, &mut kept)).is_pending());
}

#[tokio::test(start_paused = true)]
async fn a_kept_timer_is_reset_only_for_a_sooner_deadline_or_once_fired() {
    let start = Instant::now();
    let mut kept = Kept::default();
    assert!(
        futures::poll!(Kept::wait(Some(start + Duration::from_secs(10)), &mut kept)).is_pending()
    );
    let later = start + Duration::from_secs(20);
    assert!(futures::poll!(Kept::wait(Some(later), &mut kept)).is_pending());
    assert_eq!(armed(&kept), Some(start + Duration::from_secs(10)), "kept: fires early, once");
    let sooner = start + Duration::from_secs(5);
    assert!(futures::poll!(Kept::wait(Some(sooner), &mut kept)).is_pending());
    assert_eq!(armed(&kept), Some(sooner), "reset for a sooner deadline");
    Kept::wait(Some(sooner), &mut kept).await;
    assert!(futures::poll!(Kept::wait(Some(later), &mut kept)).is_pending(), "fired: armed again");
    assert_eq!(armed(&kept), Some(later));
}
