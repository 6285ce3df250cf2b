//! [`Slot`]: one session's record, outbox and inbox in memory, and the rules every write
//! follows. The memory backend keeps slots in a map; redb loads one, applies, and saves.

use crate::changes::{Changes, Claim, Damage, Loaded, Lookup, Posted};
use crate::error::Refusal;
use crate::record::{Entry, Epoch, Lease, SessionRecord, UnixMillis};
use std::collections::VecDeque;

/// One session as a store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The record.
    pub record: SessionRecord,
    /// Entries after `acked_through`, in order.
    pub outbox: VecDeque<Entry>,
    /// Posted messages not yet moved into the outbox.
    pub inbox: VecDeque<Posted>,
    /// The id the next posted message gets.
    pub next_post: u64,
}

impl Slot {
    /// A fresh slot for a created record.
    pub fn new(record: SessionRecord) -> Self {
        Self { record, outbox: VecDeque::new(), inbox: VecDeque::new(), next_post: 1 }
    }

    /// The lease of the record's owner.
    pub fn lease(&self) -> Lease {
        let owner = &self.record.owner;
        Lease { key: self.record.key, node: owner.node.clone(), generation: owner.generation }
    }

    /// Whether the session's resume window passed at `now`.
    pub fn expired(&self, now: UnixMillis) -> bool {
        self.record.expires_at <= now
    }

    /// What a load finds in this slot at `now`, in a store of `epoch`.
    pub fn lookup(&self, now: UnixMillis, epoch: Epoch) -> Lookup {
        if self.expired(now) {
            return Lookup::Expired;
        }
        match self.damage(epoch) {
            Some(damage) => Lookup::Damaged(damage),
            None => Lookup::Found(Box::new(self.loaded())),
        }
    }

    /// Why the slot cannot be resumed in a store of `epoch`, if it cannot.
    fn damage(&self, epoch: Epoch) -> Option<Damage> {
        if self.record.epoch != epoch {
            return Some(Damage::Epoch);
        }
        self.gap().map(|missing| Damage::Gap { missing })
    }

    /// The first sequence number the outbox misses, if any.
    fn gap(&self) -> Option<u64> {
        let wanted = self.record.progress.acked_through + 1..self.record.progress.next_seq;
        let mut held = self.outbox.iter().map(|entry| entry.seq);
        wanted.into_iter().find(|seq| held.next() != Some(*seq))
    }

    fn loaded(&self) -> Loaded {
        let outbox = self.outbox.iter().cloned().collect();
        let inbox = self.inbox.iter().cloned().collect();
        Loaded { record: self.record.clone(), outbox, inbox }
    }

    /// Applies `claim` at `now`: the token must be unchanged and the session not expired.
    pub fn claim(&mut self, claim: &Claim, now: UnixMillis) -> Result<Lease, Refusal> {
        if self.expired(now) {
            return Err(Refusal::Expired);
        }
        if self.record.tokens.current != claim.expected {
            return Err(Refusal::TokenChanged);
        }
        self.take_over(claim);
        Ok(self.lease())
    }

    fn take_over(&mut self, claim: &Claim) {
        let owner = &mut self.record.owner;
        owner.node = claim.node.clone();
        owner.generation += 1;
        owner.lease_until = claim.deadlines.lease_until;
        self.record.expires_at = claim.deadlines.expires_at;
        self.record.tokens = claim.tokens.clone();
    }

    /// Whether `lease` may write: it holds the session's current generation.
    pub fn check_fence(&self, lease: &Lease) -> Result<(), Refusal> {
        let current = self.record.owner.generation;
        if lease.generation == current && lease.node == self.record.owner.node {
            return Ok(());
        }
        Err(Refusal::Fenced { held: lease.generation, current })
    }

    /// Applies `changes` written under `lease`, all or nothing.
    pub fn apply(&mut self, lease: &Lease, changes: &Changes) -> Result<(), Refusal> {
        self.check_fence(lease)?;
        self.check_order(&changes.append)?;
        self.append(&changes.append);
        self.note_progress(changes);
        self.consume_inbox(changes.inbox_through);
        Ok(())
    }

    /// Appended entries must continue `next_seq` one by one.
    fn check_order(&self, entries: &[Entry]) -> Result<(), Refusal> {
        let expected = (self.record.progress.next_seq..).zip(entries);
        match expected.into_iter().find(|(seq, entry)| entry.seq != *seq) {
            Some((expected, entry)) => Err(Refusal::OutOfOrder { expected, got: entry.seq }),
            None => Ok(()),
        }
    }

    fn append(&mut self, entries: &[Entry]) {
        if let Some(last) = entries.last() {
            self.record.progress.next_seq = last.seq + 1;
        }
        self.outbox.extend(entries.iter().cloned());
    }

    /// Acks, received progress, tokens and deadlines; acks trim the outbox.
    fn note_progress(&mut self, changes: &Changes) {
        let progress = &mut self.record.progress;
        progress.acked_through = progress.acked_through.max(changes.acked_through.unwrap_or(0));
        progress.received_through =
            progress.received_through.max(changes.received_through.unwrap_or(0));
        self.renew(changes);
        self.trim();
    }

    /// A confirmed rotation, a renewed lease or a detach.
    fn renew(&mut self, changes: &Changes) {
        if let Some(tokens) = &changes.tokens {
            self.record.tokens = tokens.clone();
        }
        if let Some(deadlines) = changes.deadlines {
            self.record.owner.lease_until = deadlines.lease_until;
            self.record.expires_at = deadlines.expires_at;
        }
    }

    fn trim(&mut self) {
        let acked = self.record.progress.acked_through;
        while self.outbox.front().is_some_and(|entry| entry.seq <= acked) {
            self.outbox.pop_front();
        }
    }

    fn consume_inbox(&mut self, through: Option<u64>) {
        let through = through.unwrap_or(0);
        while self.inbox.front().is_some_and(|posted| posted.id <= through) {
            self.inbox.pop_front();
        }
    }

    /// The posted messages with ids above `after`, in order.
    pub fn posted_after(&self, after: u64) -> Vec<Posted> {
        self.inbox.iter().filter(|posted| posted.id > after).cloned().collect()
    }

    /// Adds a posted message to the inbox and returns it with its id.
    pub fn post(&mut self, kind: crate::record::Kind, payload: bytes::Bytes) -> Posted {
        let posted = Posted { id: self.next_post, kind, payload };
        self.next_post += 1;
        self.inbox.push_back(posted.clone());
        posted
    }
}
