//! The tables of a redb store and the operations on them, inside one transaction.
//!
//! `sessions`: the 16-byte session key (as a big-endian `u128`) → the encoded record.
//! `outbox`: (session key, first sequence number) → the batch of entries one commit
//! appended (see `batch.rs`); `inbox`: (session key, post id) → a posted message; both
//! ordered by session, so a session's entries are one range, and an ack trims with one
//! range delete. `notices`: (owner node, session key) → nothing: the sessions posted to
//! since their owner last looked; a claim moves the entry to the new owner and a delete
//! removes it. `meta`: `"epoch"` → the store epoch.

use super::batch::{decode_batch, encode_batch, last_seq};
use super::codec::{decode_message, decode_slot, encode_message, encode_slot, Message};
use super::failed;
use crate::changes::Posted;
use crate::error::StoreError;
use crate::record::{Entry, SessionKey, UnixMillis};
use crate::slot::Slot;
use ::redb::{ReadTransaction, ReadableTable, Table, TableDefinition, WriteTransaction};
use std::collections::VecDeque;

/// Session records.
pub const SESSIONS: TableDefinition<u128, &[u8]> = TableDefinition::new("ws_store.sessions");
/// Outbox entries.
pub const OUTBOX: TableDefinition<(u128, u64), &[u8]> = TableDefinition::new("ws_store.outbox");
/// Posted messages.
pub const INBOX: TableDefinition<(u128, u64), &[u8]> = TableDefinition::new("ws_store.inbox");
/// Per node, the sessions posted to since it last looked.
pub const NOTICES: TableDefinition<(&str, u128), ()> = TableDefinition::new("ws_store.notices");
/// The store's metadata.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("ws_store.meta");

/// A session key as the tables' keys hold it.
fn id(key: &SessionKey) -> u128 {
    u128::from_be_bytes(key.0)
}

/// Every key of one session's entries (outbox or inbox) through `last`.
fn span(key: &SessionKey, last: u64) -> std::ops::RangeInclusive<(u128, u64)> {
    (id(key), 0)..=(id(key), last)
}

/// A session's full slot (record, outbox, inbox) as of the read transaction `txn`.
pub fn load_slot(txn: &ReadTransaction, key: &SessionKey) -> Result<Option<Slot>, StoreError> {
    let sessions = txn.open_table(SESSIONS).map_err(failed)?;
    let Some(mut slot) = read_slot(&sessions, key)? else { return Ok(None) };
    let outbox = txn.open_table(OUTBOX).map_err(failed)?;
    slot.outbox = read_outbox(&outbox, key, slot.record.progress.acked_through)?;
    let inbox = txn.open_table(INBOX).map_err(failed)?;
    slot.inbox = read_span(&inbox, span(key, u64::MAX), Message::posted)?;
    Ok(Some(slot))
}

fn read_slot(
    sessions: &impl ReadableTable<u128, &'static [u8]>,
    key: &SessionKey,
) -> Result<Option<Slot>, StoreError> {
    let found = sessions.get(id(key)).map_err(failed)?;
    found.map(|value| decode_slot(value.value())).transpose()
}

/// The session's posted messages with ids above `after`, as of the read transaction `txn`.
pub fn load_inbox(
    txn: &ReadTransaction,
    key: &SessionKey,
    after: u64,
) -> Result<VecDeque<Posted>, StoreError> {
    let inbox = txn.open_table(INBOX).map_err(failed)?;
    read_span(&inbox, (id(key), after.saturating_add(1))..=(id(key), u64::MAX), Message::posted)
}

/// Every posted message of `table` in `range`, built with its number by `build`.
fn read_span<T>(
    table: &impl ReadableTable<(u128, u64), &'static [u8]>,
    range: std::ops::RangeInclusive<(u128, u64)>,
    build: fn(Message, u64) -> T,
) -> Result<VecDeque<T>, StoreError> {
    let read = |item: Result<_, ::redb::StorageError>| {
        let (number, value): (::redb::AccessGuard<(u128, u64)>, ::redb::AccessGuard<&[u8]>) =
            item.map_err(failed)?;
        let message = decode_message(value.value(), "inbox entry");
        message.map(|message| build(message, number.value().1))
    };
    table.range(range).map_err(failed)?.map(read).collect()
}

/// The session's unacknowledged entries, in order.
fn read_outbox(
    table: &impl ReadableTable<(u128, u64), &'static [u8]>,
    key: &SessionKey,
    acked: u64,
) -> Result<VecDeque<Entry>, StoreError> {
    let mut outbox = VecDeque::new();
    for item in table.range(span(key, u64::MAX)).map_err(failed)? {
        let (first, value) = item.map_err(failed)?;
        decode_batch(first.value().1, value.value(), acked, &mut outbox)?;
    }
    Ok(outbox)
}

/// The tables opened in one write transaction.
pub struct Tables<'txn> {
    sessions: Table<'txn, u128, &'static [u8]>,
    outbox: Table<'txn, (u128, u64), &'static [u8]>,
    inbox: Table<'txn, (u128, u64), &'static [u8]>,
    notices: Table<'txn, (&'static str, u128), ()>,
}

impl<'txn> Tables<'txn> {
    /// Opens (or creates) the tables in `txn`.
    pub fn open(txn: &'txn WriteTransaction) -> Result<Self, StoreError> {
        let sessions = txn.open_table(SESSIONS).map_err(failed)?;
        let outbox = txn.open_table(OUTBOX).map_err(failed)?;
        let inbox = txn.open_table(INBOX).map_err(failed)?;
        let notices = txn.open_table(NOTICES).map_err(failed)?;
        Ok(Self { sessions, outbox, inbox, notices })
    }

    /// The session's record (outbox and inbox left empty), if there is one.
    pub fn slot(&self, key: &SessionKey) -> Result<Option<Slot>, StoreError> {
        read_slot(&self.sessions, key)
    }

    /// The session's record, or [`Refusal::Missing`](crate::Refusal::Missing).
    pub fn existing(&self, key: &SessionKey) -> Result<Slot, StoreError> {
        self.slot(key)?.ok_or(crate::Refusal::Missing.into())
    }

    /// Writes the slot's record (not its outbox or inbox).
    pub fn save(&mut self, slot: &Slot) -> Result<(), StoreError> {
        let value = encode_slot(slot);
        self.sessions.insert(id(&slot.record.key), value.as_slice()).map_err(failed)?;
        Ok(())
    }

    /// Adds `entries` (consecutive, checked) to the session's outbox as one batch.
    pub fn append(&mut self, key: &SessionKey, entries: &[Entry]) -> Result<(), StoreError> {
        let Some(first) = entries.first() else { return Ok(()) };
        let value = encode_batch(entries);
        self.outbox.insert((id(key), first.seq), value.as_slice()).map_err(failed)?;
        Ok(())
    }

    /// Removes the session's outbox batches that end by `acked` (one range delete; a
    /// malformed batch is kept, for the load to report).
    pub fn trim(&mut self, key: &SessionKey, acked: u64) -> Result<(), StoreError> {
        let keep = |_, value: &[u8]| last_seq(value).is_none_or(|last| last > acked);
        self.outbox.retain_in(span(key, acked), keep).map_err(failed)
    }

    /// How many posts the session's inbox holds: its ids run without a gap from the first
    /// one left (consumed posts go from the front) up to `next_post - 1`.
    pub fn inbox_len(&self, key: &SessionKey, next_post: u64) -> Result<usize, StoreError> {
        let first = self.inbox.range(span(key, u64::MAX)).map_err(failed)?.next();
        let first_id = first.transpose().map_err(failed)?.map(|(entry, _)| entry.value().1);
        let held = first_id.map_or(0, |first_id| next_post.saturating_sub(first_id));
        Ok(usize::try_from(held).unwrap_or(usize::MAX))
    }

    /// Adds a posted message to the inbox of `slot`'s session and leaves its owner a
    /// notice.
    pub fn post(&mut self, slot: &Slot, posted: &Posted) -> Result<(), StoreError> {
        let key = &slot.record.key;
        let value = encode_message(posted.kind, &posted.payload);
        self.inbox.insert((id(key), posted.id), value.as_slice()).map_err(failed)?;
        self.notice(&slot.record.owner.node.0, key)
    }

    /// Leaves `node` a notice that `key` was posted to.
    pub fn notice(&mut self, node: &str, key: &SessionKey) -> Result<(), StoreError> {
        self.notices.insert((node, id(key)), ()).map_err(failed)?;
        Ok(())
    }

    /// Passes `from`'s notice of `key`, if it has one, to `to` (the session's new owner).
    pub fn pass_notice(
        &mut self,
        from: &str,
        to: &str,
        key: &SessionKey,
    ) -> Result<(), StoreError> {
        let held = self.notices.remove((from, id(key))).map_err(failed)?.is_some();
        if held {
            self.notice(to, key)?;
        }
        Ok(())
    }

    /// Takes `node`'s notices: the sessions posted to since it last looked, in key order.
    pub fn take_notices(&mut self, node: &str) -> Result<Vec<SessionKey>, StoreError> {
        let range = (node, 0)..=(node, u128::MAX);
        let mut keys = Vec::new();
        let mut taken = |(_, key): (&str, u128), _: ()| {
            keys.push(SessionKey(key.to_be_bytes()));
            false
        };
        self.notices.retain_in(range, |key, value| taken(key, value)).map_err(failed)?;
        Ok(keys)
    }

    /// Removes the session's posted messages through `through` (one range delete).
    pub fn consume(&mut self, key: &SessionKey, through: u64) -> Result<(), StoreError> {
        self.inbox.retain_in(span(key, through), |_, _| false).map_err(failed)
    }

    /// Removes the session with its outbox, inbox and its owner's notice.
    pub fn delete(&mut self, slot: &Slot) -> Result<(), StoreError> {
        let key = &slot.record.key;
        self.sessions.remove(id(key)).map_err(failed)?;
        self.notices.remove((slot.record.owner.node.0.as_str(), id(key))).map_err(failed)?;
        self.outbox.retain_in(span(key, u64::MAX), |_, _| false).map_err(failed)?;
        self.consume(key, u64::MAX)
    }

    /// The sessions expired at `now` (records only).
    pub fn expired(&self, now: UnixMillis) -> Result<Vec<Slot>, StoreError> {
        let mut expired = Vec::new();
        for item in self.sessions.iter().map_err(failed)? {
            let slot = decode_slot(item.map_err(failed)?.1.value())?;
            if slot.expired(now) {
                expired.push(slot);
            }
        }
        Ok(expired)
    }
}
