//! [`Account`]: one simulated client's ledger. The sender numbers the client's messages
//! 0, 1, 2, ... across its sessions and notes the session each number went to; the client
//! checks what it receives against exactly-once, in-order delivery ([`Sequence`]) and notes
//! the sessions the server told it were lost (SESSION_LOST). A number never received is
//! lost *loudly* when its session was reported lost, *silently* otherwise: a silent loss
//! fails the run.
//!
//! With server restarts a third kind: a number the server accepted whose durable send had not
//! resolved when the server host crashed (its message in flight) was never promised; lost,
//! it is counted apart. Every other number must arrive: a durable send (its flush resolved,
//! the store committed it) is delivered exactly once and in order across the restart.
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
    /// The number accepted whose durable send has not resolved yet.
    in_flight: Option<u64>,
    /// Numbers in flight when the server crashed: never promised.
    unpromised: BTreeSet<u64>,
    /// Of those, never received, folded out of the missing ranges.
    folded_unpromised: u64,
    /// Durable sends resolved.
    durable: u64,
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
    /// Never received, in flight (accepted, not durable yet) when the server crashed.
    pub lost_unpromised: u64,
    /// Durable sends: the server's flush resolved (the store committed them).
    pub durable: u64,
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
        let losses = self.losses_plus(&other);
        Tally {
            sent: self.sent + other.sent,
            delivered: self.delivered + other.delivered,
            duplicated: self.duplicated + other.duplicated,
            out_of_order: self.out_of_order + other.out_of_order,
            ..losses
        }
    }

    /// The sum of two tallies' losses and durable sends (the rest zero).
    fn losses_plus(&self, other: &Tally) -> Tally {
        Tally {
            lost_with_session: self.lost_with_session + other.lost_with_session,
            lost_unpromised: self.lost_unpromised + other.lost_unpromised,
            durable: self.durable + other.durable,
            silent_losses: self.silent_losses + other.silent_losses,
            ..Tally::default()
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

    /// Notes that the next number (accepted for `session`) waits for its durable send.
    pub fn sent_in_flight(&mut self, session: SessionId) -> u64 {
        self.in_flight = Some(self.sent);
        self.sent_to(session);
        self.sent - 1
    }

    /// Notes how the durable send of `number` ended: resolved, or not (then the number is
    /// still owed, as any other).
    pub fn settled_send(&mut self, number: u64, durable: bool) {
        self.durable += u64::from(durable);
        self.in_flight = self.in_flight.filter(|pending| *pending != number);
    }

    /// The server crashed: the number in flight is no longer promised.
    pub fn crashed(&mut self) {
        self.unpromised.extend(self.in_flight.take());
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

    /// Moves the missing ranges every number of which is lost with a reported session or
    /// was in flight at a crash into the counts.
    fn fold_losses(&mut self) {
        let ranges = self.sequence.missing_ranges().iter();
        let known: Vec<Range<u64>> =
            ranges.filter(|range| self.all_known(range)).cloned().collect();
        let numbers = known.iter().flat_map(|range| range.clone());
        let unpromised = numbers.filter(|number| self.unpromised(*number)).count() as u64;
        let settled = self.sequence.settle(|range| known.contains(range));
        self.folded_unpromised += unpromised;
        self.folded += settled - unpromised;
    }

    /// Forgets the segments before the one holding the lowest number not received.
    fn forget_segments(&mut self) {
        let lowest = self.sequence.missing_ranges().iter().map(|range| range.start).min();
        let lowest = lowest.unwrap_or(u64::MAX).min(self.sequence.next());
        let before = self.segments.partition_point(|segment| segment.first <= lowest);
        self.segments.drain(..before.saturating_sub(1));
        self.unpromised.retain(|number| *number >= lowest);
    }

    /// Whether every number of `range` went to a session reported lost or was in flight at
    /// a crash.
    fn all_known(&self, range: &Range<u64>) -> bool {
        range.clone().all(|number| self.reported(number) || self.unpromised(number))
    }

    /// Forgets the lost sessions that neither a kept segment nor the current session names.
    fn forget_sessions(&mut self) {
        let segments = &self.segments;
        let current = self.current;
        let named =
            |session: &SessionId| segments.iter().any(|segment| segment.session == *session);
        self.lost_sessions.retain(|session| Some(*session) == current || named(session));
    }

    /// Whether every number sent was received, is lost with a reported session or was in
    /// flight when the server crashed.
    pub fn settled(&self) -> bool {
        self.unreceived().all(|number| self.reported(number) || self.unpromised(number))
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

    /// Whether `number` was in flight when the server crashed.
    fn unpromised(&self, number: u64) -> bool {
        !self.reported(number) && self.unpromised.contains(&number)
    }

    /// This client's figures.
    pub fn tally(&self) -> Tally {
        let reported = self.count_unreceived(Account::reported);
        let unpromised = self.count_unreceived(Account::unpromised);
        let silent_losses = self.count_unreceived(|_, _| true) - reported - unpromised;
        let lost_unpromised = unpromised + self.folded_unpromised;
        let base = Tally { durable: self.durable, ..Tally::of(&self.sequence, self.sent) };
        Tally { lost_with_session: reported + self.folded, lost_unpromised, silent_losses, ..base }
    }

    /// The numbers not received (yet) that `kind` accepts.
    fn count_unreceived(&self, kind: fn(&Account, u64) -> bool) -> u64 {
        self.unreceived().filter(|number| kind(self, *number)).count() as u64
    }
}

#[cfg(test)]
mod tests;
