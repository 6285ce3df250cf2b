//! A session record as the `rec` hash keeps it, field by field: written by `create`
//! ([`write_record`]) and read back from `HGETALL` ([`Fields`]).
//!
//! | field | value |
//! |---|---|
//! | `ident` | the identity's bytes |
//! | `cur`, `pend`, `used` | token hashes: 32 bytes, 32 or none, 32 each concatenated |
//! | `recv`, `acked`, `next` | received_through, acked_through, next_seq (decimal) |
//! | `exp`, `lease` | expires_at, lease_until (Unix ms, decimal) |
//! | `node`, `gen` | the owner node and its fencing generation |
//! | `epoch` | the store epoch the record was created in (decimal) |
//! | `posts` | the id of the last posted message (decimal) |

use super::reply::{array, bytes, corrupt, decimal};
use crate::error::StoreError;
use crate::record::UnixMillis;
use crate::record::{Epoch, NodeId, Owner, SessionKey, SessionRecord, TokenHash, Tokens};
use redis::{ScriptInvocation, Value};
use std::collections::HashMap;

/// Adds `record`'s field/value pairs to a `create` invocation.
pub fn write_record(invocation: &mut ScriptInvocation<'_>, record: &SessionRecord) {
    invocation.arg("ident").arg(&record.identity[..]);
    write_tokens(invocation, &record.tokens);
    write_progress(invocation, &record.progress);
    invocation.arg("exp").arg(record.expires_at.0);
    let owner = &record.owner;
    invocation.arg("node").arg(&owner.node.0).arg("gen").arg(owner.generation);
    invocation.arg("lease").arg(owner.lease_until.0).arg("posts").arg(0);
    invocation.arg("epoch").arg(record.epoch.0);
}

fn write_progress(invocation: &mut ScriptInvocation<'_>, progress: &crate::record::Progress) {
    invocation.arg("recv").arg(progress.received_through);
    invocation.arg("acked").arg(progress.acked_through);
    invocation.arg("next").arg(progress.next_seq);
}

fn write_tokens(invocation: &mut ScriptInvocation<'_>, tokens: &Tokens) {
    invocation.arg("cur").arg(&tokens.current.0[..]);
    invocation.arg("pend").arg(pending(tokens)).arg("used").arg(used(tokens));
}

/// The pending token's hash, or no bytes.
pub fn pending(tokens: &Tokens) -> Vec<u8> {
    tokens.pending.as_ref().map(|hash| hash.0.to_vec()).unwrap_or_default()
}

/// The used tokens' hashes, concatenated.
pub fn used(tokens: &Tokens) -> Vec<u8> {
    tokens.used.iter().flat_map(|hash| hash.0).collect()
}

/// A record's fields as `HGETALL` answered them.
#[derive(Debug)]
pub struct Fields<'a> {
    map: HashMap<&'a [u8], &'a [u8]>,
}

impl<'a> Fields<'a> {
    /// Reads `HGETALL`'s flat list of names and values.
    pub fn of(value: &'a Value) -> Result<Self, StoreError> {
        let items = array(value)?;
        let pairs = items.chunks_exact(2).map(|pair| Ok((bytes(&pair[0])?, bytes(&pair[1])?)));
        Ok(Self { map: pairs.collect::<Result<_, StoreError>>()? })
    }

    /// The record of `key` these fields hold.
    pub fn record(&self, key: SessionKey) -> Result<SessionRecord, StoreError> {
        let mut record = SessionRecord { key, tokens: self.tokens()?, ..SessionRecord::default() };
        record.identity = bytes::Bytes::copy_from_slice(self.get("ident")?);
        self.progress(&mut record)?;
        record.expires_at = UnixMillis(self.number("exp")?);
        record.owner = self.owner()?;
        record.epoch = Epoch(self.number("epoch")?);
        Ok(record)
    }

    /// The sequence numbers each way.
    fn progress(&self, record: &mut SessionRecord) -> Result<(), StoreError> {
        record.progress.received_through = self.number("recv")?;
        record.progress.acked_through = self.number("acked")?;
        record.progress.next_seq = self.number("next")?;
        Ok(())
    }

    fn get(&self, name: &'static str) -> Result<&'a [u8], StoreError> {
        self.map.get(name.as_bytes()).copied().ok_or_else(|| corrupt("session record"))
    }

    fn number(&self, name: &'static str) -> Result<u64, StoreError> {
        decimal(self.get(name)?)
    }

    fn owner(&self) -> Result<Owner, StoreError> {
        let node = String::from_utf8(self.get("node")?.to_vec());
        let node = NodeId(node.map_err(|_| corrupt("owner node"))?);
        let lease_until = UnixMillis(self.number("lease")?);
        Ok(Owner { node, generation: self.number("gen")?, lease_until })
    }

    fn tokens(&self) -> Result<Tokens, StoreError> {
        let current = token(self.get("cur")?)?;
        let pending = self.get("pend")?;
        let pending = (!pending.is_empty()).then(|| token(pending)).transpose()?;
        let used = self.get("used")?.chunks(32).map(token).collect::<Result<_, _>>()?;
        Ok(Tokens { current, pending, used })
    }
}

fn token(hash: &[u8]) -> Result<TokenHash, StoreError> {
    let hash = <[u8; 32]>::try_from(hash).map_err(|_| corrupt("token hash"))?;
    Ok(TokenHash(hash))
}
