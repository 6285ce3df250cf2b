//! The bytes redb keeps: a small versioned binary format, hand-written (no serde).
//!
//! A session value is `[VERSION] key identity tokens received acked next_seq expires owner
//! epoch next_post`; integers are little-endian `u64`, byte strings a `u64` length then the
//! bytes. An inbox value is `[VERSION] kind payload`; an outbox value, a batch of entries,
//! is in `batch.rs`. Anything else, a
//! short value or trailing bytes, is [`StoreError::Corrupt`], never a panic.

use crate::changes::Posted;
use crate::error::StoreError;
use crate::record::{Epoch, Kind, NodeId, Owner, Progress, SessionKey, SessionRecord};
use crate::record::{TokenHash, Tokens, UnixMillis};
use crate::slot::Slot;
use bytes::Bytes;
use std::collections::VecDeque;

/// The format version written first in every value.
const VERSION: u8 = 1;

/// Bytes being written.
#[derive(Default)]
pub(super) struct Writer {
    pub(super) bytes: Vec<u8>,
}

impl Writer {
    pub(super) fn versioned() -> Self {
        Self { bytes: vec![VERSION] }
    }

    pub(super) fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub(super) fn blob(&mut self, blob: &[u8]) {
        self.u64(u64::try_from(blob.len()).unwrap_or(u64::MAX));
        self.bytes.extend_from_slice(blob);
    }

    pub(super) fn kind(&mut self, kind: Kind) {
        self.bytes.push(u8::from(kind == Kind::Binary));
    }

    pub(super) fn token(&mut self, token: &TokenHash) {
        self.bytes.extend_from_slice(&token.0);
    }
}

/// Bytes being read, named for the error when they end early or run on.
pub(super) struct Reader<'a> {
    pub(super) rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader past the version byte, which must be [`VERSION`].
    pub(super) fn versioned(bytes: &'a [u8], what: &'static str) -> Result<Self, StoreError> {
        let mut reader = Self { rest: bytes, what };
        match reader.take(1)? {
            [VERSION] => Ok(reader),
            _ => Err(reader.corrupt()),
        }
    }

    pub(super) fn corrupt(&self) -> StoreError {
        StoreError::Corrupt { backend: super::BACKEND, what: self.what }
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], StoreError> {
        let Some((head, rest)) = self.rest.split_at_checked(len) else {
            return Err(self.corrupt());
        };
        self.rest = rest;
        Ok(head)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let head = self.take(N)?;
        head.try_into().map_err(|_| self.corrupt())
    }

    pub(super) fn u64(&mut self) -> Result<u64, StoreError> {
        self.array().map(u64::from_le_bytes)
    }

    pub(super) fn blob(&mut self) -> Result<&'a [u8], StoreError> {
        let len = usize::try_from(self.u64()?).map_err(|_| self.corrupt())?;
        self.take(len)
    }

    pub(super) fn kind(&mut self) -> Result<Kind, StoreError> {
        match self.take(1)? {
            [0] => Ok(Kind::Text),
            [1] => Ok(Kind::Binary),
            _ => Err(self.corrupt()),
        }
    }

    pub(super) fn token(&mut self) -> Result<TokenHash, StoreError> {
        self.array().map(TokenHash)
    }

    /// The value must end here.
    pub(super) fn finish(&self) -> Result<(), StoreError> {
        if self.rest.is_empty() {
            return Ok(());
        }
        Err(self.corrupt())
    }
}

/// Encodes a slot's record and inbox counter (its outbox and inbox live in their tables).
pub fn encode_slot(slot: &Slot) -> Vec<u8> {
    let mut writer = Writer::versioned();
    write_head(&mut writer, &slot.record);
    write_tail(&mut writer, &slot.record);
    writer.u64(slot.next_post);
    writer.bytes
}

fn write_head(writer: &mut Writer, record: &SessionRecord) {
    writer.bytes.extend_from_slice(&record.key.0);
    writer.blob(&record.identity);
    writer.token(&record.tokens.current);
    writer.blob(&encode_tokens(&record.tokens));
    writer.u64(record.progress.received_through);
    writer.u64(record.progress.acked_through);
    writer.u64(record.progress.next_seq);
}

/// The pending token (a flag then the hash) and the used ones, as one blob.
fn encode_tokens(tokens: &Tokens) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.bytes.push(u8::from(tokens.pending.is_some()));
    tokens.pending.iter().chain(&tokens.used).for_each(|token| writer.token(token));
    writer.bytes
}

fn write_tail(writer: &mut Writer, record: &SessionRecord) {
    writer.u64(record.expires_at.0);
    writer.blob(record.owner.node.0.as_bytes());
    writer.u64(record.owner.generation);
    writer.u64(record.owner.lease_until.0);
    writer.u64(record.epoch.0);
}

/// Decodes what [`encode_slot`] wrote: a slot with empty outbox and inbox.
pub fn decode_slot(bytes: &[u8]) -> Result<Slot, StoreError> {
    let mut reader = Reader::versioned(bytes, "session record")?;
    let head = Head::read(&mut reader)?;
    let tail = Tail::read(&mut reader)?;
    let next_post = reader.u64()?;
    reader.finish()?;
    let record = head.into_record(tail);
    Ok(Slot { record, outbox: VecDeque::new(), inbox: VecDeque::new(), next_post })
}

/// The first fields of a record value.
struct Head {
    key: SessionKey,
    identity: Bytes,
    tokens: Tokens,
    progress: Progress,
}

impl Head {
    fn read(reader: &mut Reader<'_>) -> Result<Self, StoreError> {
        let key = SessionKey(reader.array()?);
        let identity = Bytes::copy_from_slice(reader.blob()?);
        let tokens = read_tokens(reader)?;
        let progress = read_progress(reader)?;
        Ok(Self { key, identity, tokens, progress })
    }

    /// The record of this head and `tail`.
    fn into_record(self, tail: Tail) -> SessionRecord {
        let Head { key, identity, tokens, progress } = self;
        let Tail { expires_at, owner, epoch } = tail;
        SessionRecord { key, identity, tokens, progress, expires_at, owner, epoch }
    }
}

fn read_progress(reader: &mut Reader<'_>) -> Result<Progress, StoreError> {
    let received_through = reader.u64()?;
    let acked_through = reader.u64()?;
    let next_seq = reader.u64()?;
    Ok(Progress { received_through, acked_through, next_seq })
}

fn read_tokens(reader: &mut Reader<'_>) -> Result<Tokens, StoreError> {
    let current = reader.token()?;
    let mut inner = Reader { rest: reader.blob()?, what: reader.what };
    let pending = read_pending(&mut inner)?;
    let used = read_used(&mut inner)?;
    Ok(Tokens { current, pending, used })
}

/// A flag byte, then the pending token hash if the flag is 1.
fn read_pending(reader: &mut Reader<'_>) -> Result<Option<TokenHash>, StoreError> {
    match reader.take(1)? {
        [0] => Ok(None),
        [1] => reader.token().map(Some),
        _ => Err(reader.corrupt()),
    }
}

/// The used token hashes that fill the rest of `reader`.
fn read_used(reader: &mut Reader<'_>) -> Result<Vec<TokenHash>, StoreError> {
    let mut used = Vec::with_capacity(reader.rest.len() / 32);
    while !reader.rest.is_empty() {
        used.push(reader.token()?);
    }
    Ok(used)
}

/// The last fields of a record value.
struct Tail {
    expires_at: UnixMillis,
    owner: Owner,
    epoch: Epoch,
}

impl Tail {
    fn read(reader: &mut Reader<'_>) -> Result<Self, StoreError> {
        let expires_at = UnixMillis(reader.u64()?);
        let node = String::from_utf8(reader.blob()?.to_vec()).map_err(|_| reader.corrupt())?;
        let generation = reader.u64()?;
        let lease_until = UnixMillis(reader.u64()?);
        let owner = Owner { node: NodeId(node), generation, lease_until };
        Ok(Self { expires_at, owner, epoch: Epoch(reader.u64()?) })
    }
}

/// Encodes a posted message: its kind and payload.
pub fn encode_message(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut writer = Writer::versioned();
    writer.kind(kind);
    writer.bytes.extend_from_slice(payload);
    writer.bytes
}

/// A kind and payload decoded by [`decode_message`] (an inbox value).
pub struct Message {
    kind: Kind,
    payload: Bytes,
}

/// Decodes what [`encode_message`] wrote; `what` names it in the error.
pub fn decode_message(bytes: &[u8], what: &'static str) -> Result<Message, StoreError> {
    let mut reader = Reader::versioned(bytes, what)?;
    let kind = reader.kind()?;
    Ok(Message { kind, payload: Bytes::copy_from_slice(reader.rest) })
}

impl Message {
    /// The posted message `id` holding this message.
    pub fn posted(self, id: u64) -> Posted {
        Posted { id, kind: self.kind, payload: self.payload }
    }
}
