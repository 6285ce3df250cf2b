//! [`Account`]: one simulated client's ledger. The sender numbers the client's messages
//! 0, 1, 2, ... across its sessions and notes the session each number went to; the client
//! checks what it receives against exactly-once, in-order delivery ([`Sequence`]) and notes
//! the sessions the server told it were lost (SESSION_LOST). A number never received is
//! lost *loudly* when its session was reported lost, *silently* otherwise: a silent loss
//! fails the run.
//!
//! The ledger stays as small as what is still open: numbers lost loudly are folded into a
//! count (a later arrival of one of them is then a duplicate, which fails the run too), and
//! the segments and lost sessions no open number needs are forgotten. Kept, they grew by
//! about 30 KB per simulated hour (a segment and a lost session per SESSION_LOST, ~455 an
//! hour), which the heap check counted as a leak.

use crate::sequence::{Sequence, Verdict};
use serde::Serialize;
use std::collections::BTreeSet;
use std::ops::Range;
use ws_reliability::protocol::SessionId;

/// The numbers from `first` on went to `session` (until the next segment's first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    session: SessionId,
    first: u64,
}

/// One client: what was sent to it, session by session, and what it made of it.
#[derive(Debug, Default)]
pub struct Account {
    /// The session the client holds now, as its last WELCOME told it.
    pub current: Option<SessionId>,
    segments: Vec<Segment>,
    sent: u64,
    sequence: Sequence,
    lost_sessions: BTreeSet<SessionId>,
    /// Numbers lost with a reported session, folded out of the sequence's missing ranges.
    folded: u64,
}

/// What the accounts add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Messages the server accepted.
    pub sent: u64,
    /// Distinct messages received.
    pub delivered: u64,
    /// Received twice.
    pub duplicated: u64,
    /// Received after later ones.
    pub out_of_order: u64,
    /// Never received, their session reported lost to the client (SESSION_LOST).
    pub lost_with_session: u64,
    /// Never received, and nothing told the client: must stay 0.
    pub silent_losses: u64,
}

impl Tally {
    /// What `sequence` received of `sent` messages (the losses not told apart yet).
    fn of(sequence: &Sequence, sent: u64) -> Tally {
        let Sequence { received, duplicated, out_of_order, .. } = *sequence;
        Tally { sent, delivered: received, duplicated, out_of_order, ..Tally::default() }
    }

    /// The sum of two tallies.
    pub fn plus(self, other: Tally) -> Tally {
        Tally {
            sent: self.sent + other.sent,
            delivered: self.delivered + other.delivered,
            duplicated: self.duplicated + other.duplicated,
            out_of_order: self.out_of_order + other.out_of_order,
            lost_with_session: self.lost_with_session + other.lost_with_session,
            silent_losses: self.silent_losses + other.silent_losses,
        }
    }
}

impl Account {
    /// The number the next message gets.
    pub fn next_number(&self) -> u64 {
        self.sent
    }

    /// Notes that the server accepted the next number for `session`.
    pub fn sent_to(&mut self, session: SessionId) {
        if self.segments.last().map(|segment| segment.session) != Some(session) {
            self.segments.push(Segment { session, first: self.sent });
        }
        self.sent += 1;
    }

    /// Checks one received number (the sequence counts what it was); a gap (the first
    /// number of a new session after a lost one) folds the ledger.
    pub fn received(&mut self, number: u64) {
        if self.sequence.observe(number) == Verdict::Gap {
            self.fold();
        }
    }

    /// Notes a WELCOME for `session`.
    pub fn welcomed(&mut self, session: SessionId) {
        self.current = Some(session);
    }

    /// Notes a SESSION_LOST for `session` (the client's current one when `None`).
    pub fn lost(&mut self, session: Option<SessionId>) {
        let named = session.or(self.current.take());
        self.lost_sessions.extend(named);
        self.fold();
    }

    /// Counts the missing ranges lost with a reported session and forgets them, then the
    /// segments before the lowest open number (but the one holding it) and the lost
    /// sessions no kept segment names (but the current one, which may still get sends).
    fn fold(&mut self) {
        self.fold_losses();
        self.forget_segments();
        self.forget_sessions();
    }

    /// Moves the missing ranges lost with a reported session into the count.
    fn fold_losses(&mut self) {
        let ranges = self.sequence.missing_ranges().iter();
        let reported: Vec<Range<u64>> =
            ranges.filter(|range| self.all_reported(range)).cloned().collect();
        self.folded += self.sequence.settle(|range| reported.contains(range));
    }

    /// Forgets the segments before the one holding the lowest number not received.
    fn forget_segments(&mut self) {
        let lowest = self.sequence.missing_ranges().iter().map(|range| range.start).min();
        let lowest = lowest.unwrap_or(u64::MAX).min(self.sequence.next());
        let before = self.segments.partition_point(|segment| segment.first <= lowest);
        self.segments.drain(..before.saturating_sub(1));
    }

    /// Whether every number of `range` went to a session reported lost.
    fn all_reported(&self, range: &Range<u64>) -> bool {
        range.clone().all(|number| self.reported(number))
    }

    /// Forgets the lost sessions that neither a kept segment nor the current session names.
    fn forget_sessions(&mut self) {
        let segments = &self.segments;
        let current = self.current;
        let named =
            |session: &SessionId| segments.iter().any(|segment| segment.session == *session);
        self.lost_sessions.retain(|session| Some(*session) == current || named(session));
    }

    /// Whether every number sent was received or is lost with a reported session.
    pub fn settled(&self) -> bool {
        self.unreceived().all(|number| self.reported(number))
    }

    /// Numbers sent and not received (yet): the gaps and the tail.
    fn unreceived(&self) -> impl Iterator<Item = u64> + '_ {
        let tail = self.sequence.next()..self.sent.max(self.sequence.next());
        let ranges = self.sequence.missing_ranges().iter().cloned();
        ranges.chain(std::iter::once(tail)).flat_map(Range::into_iter)
    }

    /// Whether `number` went to a session reported lost.
    fn reported(&self, number: u64) -> bool {
        let before = self.segments.partition_point(|segment| segment.first <= number);
        let segment = before.checked_sub(1).and_then(|index| self.segments.get(index));
        segment.is_some_and(|segment| self.lost_sessions.contains(&segment.session))
    }

    /// This client's figures.
    pub fn tally(&self) -> Tally {
        let reported = self.unreceived().filter(|number| self.reported(*number)).count() as u64;
        let unreceived = self.unreceived().count() as u64;
        let silent_losses = unreceived - reported;
        let base = Tally::of(&self.sequence, self.sent);
        Tally { lost_with_session: reported + self.folded, silent_losses, ..base }
    }
}

#[cfg(test)]
mod tests {
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
    fn duplicates_and_late_numbers_are_counted() {
        let mut account = Account::default();
        (0..3).for_each(|_| account.sent_to(session(1)));
        [0, 2, 1, 1].into_iter().for_each(|number| account.received(number));
        let tally = account.tally();
        assert_eq!((tally.delivered, tally.duplicated, tally.out_of_order), (3, 1, 1));
        assert_eq!(tally.silent_losses, 0);
        assert!(account.settled());
    }
}
