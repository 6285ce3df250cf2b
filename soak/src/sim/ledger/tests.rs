//! The ledger's tests: losses told apart (loud, unpromised, silent), and the folding that
//! keeps it small.

use super::*;

fn session(byte: u8) -> SessionId {
    SessionId::from_bytes([byte; 16])
}

#[test]
fn a_tail_lost_with_its_session_is_loud_and_a_gap_in_a_live_one_is_silent() {
    let mut account = Account::default();
    (0..5).for_each(|_| account.sent_to(session(1)));
    (0..3).for_each(|number| account.received(number));
    assert!(!account.settled(), "3 and 4 are on their way");
    account.lost(Some(session(1)));
    assert!(account.settled());
    (0..4).for_each(|_| account.sent_to(session(2)));
    [5, 7, 8].into_iter().for_each(|number| account.received(number));
    let tally = account.tally();
    assert_eq!((tally.sent, tally.delivered), (9, 6));
    assert_eq!((tally.lost_with_session, tally.silent_losses), (2, 1), "6 vanished");
    assert!(!account.settled());
}

#[test]
fn lost_sessions_fold_into_a_count_and_the_ledger_stays_small() {
    let mut account = Account::default();
    for round in 0..100_u8 {
        account.welcomed(session(round));
        (0..10).for_each(|_| account.sent_to(session(round)));
        let first = u64::from(round) * 10;
        (first..first + 4).for_each(|number| account.received(number));
        account.lost(Some(session(round)));
    }
    let tally = account.tally();
    assert_eq!((tally.sent, tally.delivered, tally.lost_with_session), (1000, 400, 600));
    assert_eq!(tally.silent_losses, 0);
    assert!(account.segments.len() <= 2, "{} segments kept", account.segments.len());
    assert!(account.lost_sessions.len() <= 2, "{} lost kept", account.lost_sessions.len());
    account.received(5);
    assert_eq!(account.tally().duplicated, 1, "a folded number arriving is a duplicate");
}

#[test]
fn a_number_in_flight_at_a_crash_is_unpromised_and_a_durable_one_is_owed() {
    let mut account = Account::default();
    let first = account.sent_in_flight(session(1));
    account.settled_send(first, true);
    let second = account.sent_in_flight(session(1));
    account.crashed();
    let third = account.sent_in_flight(session(1));
    account.settled_send(third, true);
    account.received(third);
    let tally = account.tally();
    assert_eq!((second, tally.durable, tally.lost_unpromised), (1, 2, 1));
    assert_eq!(tally.silent_losses, 1, "the durable 0 never came");
    account.received(first);
    assert_eq!((account.tally().silent_losses, account.tally().out_of_order), (0, 1));
    assert!(account.settled());
}

#[test]
fn duplicates_and_late_numbers_are_counted() {
    let mut account = Account::default();
    (0..3).for_each(|_| account.sent_to(session(1)));
    [0, 2, 1, 1].into_iter().for_each(|number| account.received(number));
    let tally = account.tally();
    assert_eq!((tally.delivered, tally.duplicated, tally.out_of_order), (3, 1, 1));
    assert_eq!(tally.silent_losses, 0);
    assert!(account.settled());
}
