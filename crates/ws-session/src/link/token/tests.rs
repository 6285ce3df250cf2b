//! The link token and its stop mark: generations, wake-ups, a store's stop of every link.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;

/// A waker that counts its wake-ups.
#[derive(Default)]
struct Counting(AtomicUsize);

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<Counting>, Waker) {
    let counter = Arc::new(Counting::default());
    let waker = Waker::from(Arc::clone(&counter));
    (counter, waker)
}

#[tokio::test]
async fn a_lone_token_runs_until_cancelled_and_its_wait_ends_then() {
    let token = LinkToken::new();
    assert!(!token.is_cancelled());
    let waiting = tokio::spawn({
        let token = token.clone();
        async move { token.cancelled().await }
    });
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished());
    token.cancel();
    assert!(token.is_cancelled());
    tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await.unwrap().unwrap();
}

#[test]
fn the_next_link_stops_the_running_one_and_wakes_its_reader() {
    let mut mark = StopMark::default();
    let (first, _) = mark.next_link();
    let (counter, waker) = counting();
    assert!(!mark.poll_stopped(first, &waker));
    let (second, woken) = mark.next_link();
    woken.unwrap().wake();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    assert!(mark.is_stopped(first));
    assert!(!mark.is_stopped(second));
    assert_eq!(mark.generation(), second);
}

#[test]
fn stopping_an_older_link_keeps_the_running_readers_waker() {
    let mut mark = StopMark::default();
    let (old, _) = mark.next_link();
    let (running, _) = mark.next_link();
    let (_counter, waker) = counting();
    assert!(!mark.poll_stopped(running, &waker));
    assert!(mark.stop(old).is_none(), "the old link's writer failed late");
    assert!(!mark.is_stopped(running));
    assert!(mark.stop(running).is_some(), "the running reader is still registered");
}

#[test]
fn a_stop_through_the_last_generation_stops_every_link_to_come() {
    let mut mark = StopMark::default();
    let (running, _) = mark.next_link();
    let _ = mark.stop(u32::MAX);
    assert!(mark.is_stopped(running));
    let (next, woken) = mark.next_link();
    assert!(woken.is_none());
    assert!(mark.is_stopped(next));
}

#[test]
fn an_older_link_registers_no_waker() {
    let mut mark = StopMark::default();
    let (old, _) = mark.next_link();
    let _ = mark.next_link();
    let (_counter, waker) = counting();
    assert!(mark.poll_stopped(old, &waker));
    assert!(mark.waker.is_none());
}

#[test]
fn the_wait_is_one_reference_and_the_token_smaller_than_its_old_future() {
    let token = LinkToken::new();
    assert_eq!(std::mem::size_of_val(&token.cancelled()), std::mem::size_of::<usize>());
    assert!(std::mem::size_of::<LinkToken>() <= 24);
}

#[test]
fn every_link_stops_the_running_link_and_keeps_no_session_alive() {
    let token = LinkToken::new();
    let every = token.every_link();
    every.stop();
    assert!(token.is_cancelled());
    drop(token);
    every.stop(); // the session is gone: nothing to stop, nothing kept
    assert_eq!(every.0.strong_count(), 0);
}
