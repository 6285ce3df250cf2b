//! Unit tests of the resume guard: rotation, the pending token until confirmation, replay
//! and forgery, the window, and metrics.

use super::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tokio::time::advance;

const WINDOW: Duration = Duration::from_secs(120);

fn lost(reason: SessionLostReason) -> Result<ResumeToken, ProtocolError> {
    Err(ProtocolError::SessionLost(reason))
}

fn resume(guard: &mut ResumeGuard, token: &ResumeToken) -> Result<ResumeToken, ProtocolError> {
    guard.resume(token, Instant::now()).cloned()
}

// [M7.8] a confirmation voids the pending token
#[tokio::test(start_paused = true)]
async fn a_resume_rotates_the_token_and_a_confirmation_voids_the_old_one() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    guard.connection_lost(Instant::now());
    let second = resume(&mut guard, &first).unwrap();
    assert_ne!(second, first);
    assert_eq!(guard.token(), &second);
    guard.confirm(&second);
    assert_eq!(resume(&mut guard, &first), lost(SessionLostReason::TokenReplayed));
    assert!(resume(&mut guard, &second).is_ok(), "a refusal leaves the session resumable");
}

#[tokio::test(start_paused = true)]
async fn the_previous_token_works_until_the_client_confirms_the_new_one() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    let lost_welcome = resume(&mut guard, &first).unwrap();
    assert_eq!(guard.check(&first, Instant::now()), Ok(Presented::Pending));
    let retried = resume(&mut guard, &first).expect("the WELCOME was lost: a retry, not a loss");
    assert_ne!(retried, lost_welcome);
    assert_eq!(resume(&mut guard, &lost_welcome), lost(SessionLostReason::TokenReplayed));
    guard.confirm(&lost_welcome);
    assert!(resume(&mut guard, &first).is_ok(), "a stale confirmation commits nothing");
    let confirmed = guard.token().clone();
    guard.confirm(&confirmed);
    assert_eq!(resume(&mut guard, &first), lost(SessionLostReason::TokenReplayed));
    let forged = ResumeToken::from_bytes([7; 16]);
    assert_eq!(resume(&mut guard, &forged), lost(SessionLostReason::TokenMismatch));
    assert!(resume(&mut guard, &confirmed).is_ok(), "the new token works");
}

#[tokio::test(start_paused = true)]
async fn a_resume_with_the_new_token_commits_the_previous_one() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    let second = resume(&mut guard, &first).unwrap();
    let third = resume(&mut guard, &second).unwrap();
    assert_eq!(guard.check(&second, Instant::now()), Ok(Presented::Pending));
    assert_eq!(resume(&mut guard, &first), lost(SessionLostReason::TokenReplayed));
    assert_eq!(guard.check(&third, Instant::now()), Ok(Presented::Current));
}

// [M7.7] a refused check changes nothing
#[tokio::test(start_paused = true)]
async fn a_check_changes_nothing() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    assert_eq!(guard.check(&first, Instant::now()), Ok(Presented::Current));
    assert_eq!(guard.token(), &first, "only a rotation changes the token");
    let second = guard.rotate(Presented::Current).unwrap().clone();
    assert_ne!(second, first);
}

#[tokio::test(start_paused = true)]
async fn a_forged_token_is_a_mismatch() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let forged = ResumeToken::from_bytes([7; 16]);
    let refused = resume(&mut guard, &forged).unwrap_err();
    assert_eq!(refused, ProtocolError::SessionLost(SessionLostReason::TokenMismatch));
    assert_eq!(refused.close_code(), crate::protocol::CloseCode::SessionLost);
    assert_eq!(refused.to_string(), "session lost: token mismatch");
    assert_eq!(refused.kind(), "session_lost");
}

#[tokio::test(start_paused = true)]
async fn the_window_counts_from_the_first_loss() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    assert!(!guard.is_expired(Instant::now()));
    guard.connection_lost(Instant::now());
    advance(WINDOW).await;
    guard.connection_lost(Instant::now());
    assert!(!guard.is_expired(Instant::now()));
    advance(Duration::from_millis(1)).await;
    let token = guard.token().clone();
    assert_eq!(resume(&mut guard, &token), lost(SessionLostReason::Expired));
}

#[tokio::test(start_paused = true)]
async fn a_resume_restarts_the_window() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    guard.connection_lost(Instant::now());
    advance(WINDOW / 2).await;
    let first = guard.token().clone();
    let token = resume(&mut guard, &first).unwrap();
    advance(WINDOW).await;
    assert!(!guard.is_expired(Instant::now()), "connected again: no window runs");
    assert!(resume(&mut guard, &token).is_ok());
}

#[tokio::test(start_paused = true)]
async fn only_the_last_tokens_are_remembered_as_replays() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let oldest = guard.token().clone();
    for _ in 0..=REMEMBERED_TOKENS + 1 {
        let current = guard.token().clone();
        resume(&mut guard, &current).unwrap();
    }
    assert_eq!(resume(&mut guard, &oldest), lost(SessionLostReason::TokenMismatch));
}

#[tokio::test(start_paused = true)]
async fn outcomes_are_counted() {
    let recorder = DebuggingRecorder::new();
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    metrics::with_local_recorder(&recorder, || {
        let second = resume(&mut guard, &first).unwrap();
        guard.confirm(&second);
        resume(&mut guard, &first).unwrap_err();
        resume(&mut guard, &ResumeToken::from_bytes([1; 16])).unwrap_err();
    });
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let count = |outcome: &str| {
        let found =
            snapshot.iter().find(|(key, ..)| key.key().labels().any(|l| l.value() == outcome));
        match found {
            Some((_, _, _, DebugValue::Counter(value))) => *value,
            _ => 0,
        }
    };
    assert_eq!((count("accepted"), count("token_replayed"), count("token_mismatch")), (1, 1, 1));
}

#[test]
fn reasons_print_in_lower_case() {
    let printed: Vec<String> = [
        SessionLostReason::UnknownSession,
        SessionLostReason::Expired,
        SessionLostReason::TokenReplayed,
        SessionLostReason::Unrecoverable,
        SessionLostReason::Other(9),
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        printed,
        ["unknown session", "expired", "token replayed", "unrecoverable", "reason 9"]
    );
}

/// Resumes `guard` kept as digests with `presented`: the guard a restored session gets.
fn restore(guard: &ResumeGuard, presented: &ResumeToken) -> Result<ResumeGuard, ProtocolError> {
    ResumeGuard::restore(WINDOW, &guard.digests(), presented)
}

#[tokio::test(start_paused = true)]
async fn a_guard_kept_as_digests_decides_as_the_live_one() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    let second = resume(&mut guard, &first).unwrap(); // first is pending now
    guard.confirm(&second); // first is used now
    let third = resume(&mut guard, &second).unwrap(); // second pending
    let forged = ResumeToken::from_bytes([9; 16]);
    let refusal = |presented| restore(&guard, presented).map(|restored| restored.token().clone());
    assert_eq!(refusal(&first), lost(SessionLostReason::TokenReplayed));
    assert_eq!(refusal(&forged), lost(SessionLostReason::TokenMismatch));
    for valid in [&third, &second] {
        let restored = restore(&guard, valid).unwrap();
        assert_ne!(restored.token(), valid, "a restored resume rotates");
        assert_eq!(restored.check(valid, Instant::now()), Ok(Presented::Pending));
    }
}

#[tokio::test(start_paused = true)]
async fn a_restored_guard_voids_what_the_live_one_would() {
    let mut guard = ResumeGuard::new(WINDOW).unwrap();
    let first = guard.token().clone();
    let second = resume(&mut guard, &first).unwrap(); // first pending, second current
    let mut from_current = restore(&guard, &second).unwrap();
    let third = from_current.token().clone();
    assert_eq!(
        from_current.check(&first, Instant::now()),
        lost_check(SessionLostReason::TokenReplayed)
    );
    from_current.confirm(&third);
    assert_eq!(
        from_current.check(&second, Instant::now()),
        lost_check(SessionLostReason::TokenReplayed)
    );
    let from_pending = restore(&guard, &first).unwrap();
    assert_eq!(
        from_pending.check(&second, Instant::now()),
        lost_check(SessionLostReason::TokenReplayed)
    );
    assert!(guard.digests().current.matches(&second) && !guard.digests().current.matches(&first));
}

fn lost_check(reason: SessionLostReason) -> Result<Presented, ProtocolError> {
    Err(ProtocolError::SessionLost(reason))
}
