//! [`Slots`]: the registry's door and its count of admitted connections; [`IdSource`]: the
//! connection ids it hands out.

use crate::ConnId;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// How many connections hold a slot (registered, or holding an `Admission`), and whether
/// new ones may still come in (a shutdown closes the door for good).
#[derive(Debug, Default)]
pub(super) struct Slots {
    held: AtomicUsize,
    closed: AtomicBool,
}

impl Slots {
    /// Takes a slot if fewer than `max` are held.
    pub(super) fn take(&self, max: usize) -> bool {
        let take = |held: usize| (held < max).then_some(held + 1);
        self.held.fetch_update(Ordering::AcqRel, Ordering::Acquire, take).is_ok()
    }

    /// Gives a slot back: its connection left, or its admission was dropped.
    pub(super) fn give_back(&self) {
        self.held.fetch_sub(1, Ordering::AcqRel);
    }

    /// How many slots are held.
    pub(super) fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }

    /// Closes the door: no connection is admitted from now on.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Whether the door was closed.
    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Connection ids, from 1 upward, never reused by one registry.
#[derive(Debug)]
pub(super) struct IdSource {
    next: AtomicU64,
}

impl Default for IdSource {
    fn default() -> Self {
        IdSource { next: AtomicU64::new(1) }
    }
}

impl IdSource {
    /// The next id.
    pub(super) fn next(&self) -> ConnId {
        ConnId::from_u64(self.next.fetch_add(1, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_stop_at_max_and_come_back() {
        let slots = Slots::default();
        assert!(slots.take(2) && slots.take(2));
        assert!(!slots.take(2), "two of two held");
        slots.give_back();
        assert_eq!(slots.held(), 1);
        assert!(slots.take(2));
    }

    #[test]
    fn a_closed_door_stays_closed_and_ids_count_from_one() {
        let slots = Slots::default();
        assert!(!slots.is_closed());
        slots.close();
        assert!(slots.is_closed());
        let ids = IdSource::default();
        assert_eq!((ids.next(), ids.next()), (ConnId::from_u64(1), ConnId::from_u64(2)));
    }
}
