//! Reading what the scripts answer: a status (`ok` or a refusal's name) and what follows
//! it, stream entries and numbers. Anything else is [`StoreError::Corrupt`].

use crate::error::{Refusal, StoreError};
use crate::record::Kind;
use redis::Value;

/// A script's answer: its status and the values after it.
#[derive(Debug)]
pub struct Reply<'a> {
    /// `ok`, or the name of a refusal.
    pub status: &'a [u8],
    /// What follows the status.
    pub rest: &'a [Value],
}

/// A refusal without numbers, by the name a script answers with.
struct Named {
    status: &'static [u8],
    refusal: Refusal,
}

const NAMED: [Named; 4] = [
    Named { status: b"missing", refusal: Refusal::Missing },
    Named { status: b"exists", refusal: Refusal::Exists },
    Named { status: b"expired", refusal: Refusal::Expired },
    Named { status: b"token", refusal: Refusal::TokenChanged },
];

/// What the redis backend holds that this crate cannot read.
pub fn corrupt(what: &'static str) -> StoreError {
    StoreError::Corrupt { backend: super::BACKEND, what }
}

impl<'a> Reply<'a> {
    /// Reads a script's answer.
    pub fn of(value: &'a Value) -> Result<Self, StoreError> {
        let items = array(value)?;
        let (first, rest) = items.split_first().ok_or_else(|| corrupt("script reply"))?;
        Ok(Self { status: bytes(first)?, rest })
    }

    /// Whether the script applied the operation, or the refusal it answered with.
    pub fn outcome(&self) -> Result<Result<(), Refusal>, StoreError> {
        match self.status {
            b"ok" => Ok(Ok(())),
            b"fenced" | b"order" => self.numbered().map(Err),
            b"full" => self.number(0).map(|max| Err(Refusal::InboxFull { max })),
            status => named(status).map(Err),
        }
    }

    /// A refusal with two numbers: `fenced` (held, current), `order` (expected, got).
    fn numbered(&self) -> Result<Refusal, StoreError> {
        let first = self.number(0)?;
        let second = self.number(1)?;
        if self.status == b"fenced" {
            return Ok(Refusal::Fenced { held: first, current: second });
        }
        Ok(Refusal::OutOfOrder { expected: first, got: second })
    }

    /// Applied, or the refusal as a [`StoreError::Refused`].
    pub fn accepted(&self) -> Result<(), StoreError> {
        Ok(self.outcome()??)
    }

    /// The first number after an `ok` status, or the refusal.
    pub fn accepted_number(&self) -> Result<u64, StoreError> {
        self.accepted()?;
        self.number(0)
    }

    /// The value at `index` after the status.
    pub fn value(&self, index: usize) -> Result<&'a Value, StoreError> {
        self.rest.get(index).ok_or_else(|| corrupt("script reply"))
    }

    /// The number at `index` after the status.
    pub fn number(&self, index: usize) -> Result<u64, StoreError> {
        integer(self.value(index)?)
    }
}

fn named(status: &[u8]) -> Result<Refusal, StoreError> {
    let found = NAMED.iter().find(|named| named.status == status);
    found.map(|named| named.refusal.clone()).ok_or_else(|| corrupt("script status"))
}

/// The items of an array.
pub fn array(value: &Value) -> Result<&[Value], StoreError> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(corrupt("array in a reply")),
    }
}

/// The bytes of a string.
pub fn bytes(value: &Value) -> Result<&[u8], StoreError> {
    match value {
        Value::BulkString(bytes) => Ok(bytes),
        Value::SimpleString(text) => Ok(text.as_bytes()),
        _ => Err(corrupt("string in a reply")),
    }
}

/// A non-negative integer.
pub fn integer(value: &Value) -> Result<u64, StoreError> {
    match value {
        Value::Int(number) => u64::try_from(*number).map_err(|_| corrupt("number in a reply")),
        _ => Err(corrupt("number in a reply")),
    }
}

/// A decimal number kept as a string.
pub fn decimal(text: &[u8]) -> Result<u64, StoreError> {
    let text = std::str::from_utf8(text).map_err(|_| corrupt("decimal number"))?;
    text.parse().map_err(|_| corrupt("decimal number"))
}

/// One stream entry as `XRANGE` answers it: its id's first part and the values of its two
/// fields (an inbox entry: `k` kind, `p` payload; an outbox entry: `n` count, `b` batch).
#[derive(Debug)]
pub struct RawEntry<'a> {
    /// The id's first part.
    pub id: u64,
    /// The first field's value.
    pub head: &'a [u8],
    /// The second field's value.
    pub body: &'a [u8],
}

/// The entries of an `XRANGE` answer.
pub fn stream(value: &Value) -> Result<Vec<RawEntry<'_>>, StoreError> {
    array(value)?.iter().map(raw_entry).collect()
}

fn raw_entry(value: &Value) -> Result<RawEntry<'_>, StoreError> {
    let [id, fields] = array(value)? else { return Err(corrupt("stream entry")) };
    let [_, head, _, body] = array(fields)? else { return Err(corrupt("stream entry")) };
    let id = bytes(id)?.split(|byte| *byte == b'-').next().unwrap_or_default();
    Ok(RawEntry { id: decimal(id)?, head: bytes(head)?, body: bytes(body)? })
}

/// The session keys of a notice set, sorted.
pub fn session_keys(members: &[String]) -> Result<Vec<crate::record::SessionKey>, StoreError> {
    let keys: Result<Vec<_>, _> = members.iter().map(|hex| session_key(hex)).collect();
    let mut keys = keys?;
    keys.sort_unstable();
    Ok(keys)
}

/// A session key from its name in a notice set (32 hex digits).
pub fn session_key(hex: &str) -> Result<crate::record::SessionKey, StoreError> {
    let mut key = [0; crate::record::KEY_LEN];
    let digits = hex.as_bytes().chunks(2);
    (hex.len() == 2 * key.len()).then_some(()).ok_or(corrupt("session key"))?;
    for (byte, pair) in key.iter_mut().zip(digits) {
        let pair = std::str::from_utf8(pair).map_err(|_| corrupt("session key"))?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| corrupt("session key"))?;
    }
    Ok(crate::record::SessionKey(key))
}

/// A posted message from its inbox entry.
pub fn posted(raw: RawEntry<'_>) -> Result<crate::changes::Posted, StoreError> {
    let payload = bytes::Bytes::copy_from_slice(raw.body);
    Ok(crate::changes::Posted { id: raw.id, kind: kind_of(raw.head)?, payload })
}

/// The code a kind is kept under in a stream entry.
pub fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "t",
        Kind::Binary => "b",
    }
}

/// The kind kept under `code`.
pub fn kind_of(code: &[u8]) -> Result<Kind, StoreError> {
    match code {
        b"t" => Ok(Kind::Text),
        b"b" => Ok(Kind::Binary),
        _ => Err(corrupt("message kind")),
    }
}
