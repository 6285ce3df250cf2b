//! [`Reader`]: a bounds-checked cursor over a received message; every read returns a
//! [`ProtocolError`] instead of panicking when the message is short.

use super::error::ProtocolError;
use super::varint::read_varint;
use bytes::Buf;
use tokio_tungstenite::tungstenite::Bytes;

/// A cursor over the bytes of one binary message.
pub(crate) struct Reader {
    bytes: Bytes,
    position: usize,
    /// The most entries a BATCH frame in these bytes may have.
    pub(crate) max_entries: u64,
}

impl Reader {
    /// A cursor at the start of `bytes`, with no limit on BATCH entries.
    pub(crate) fn new(bytes: Bytes) -> Self {
        Self { bytes, position: 0, max_entries: u64::MAX }
    }

    /// A cursor at the start of `bytes`, refusing a BATCH of more than `max_entries`.
    pub(crate) fn with_max_entries(bytes: Bytes, max_entries: u64) -> Self {
        Self { max_entries, ..Self::new(bytes) }
    }

    /// The bytes not read yet.
    fn remaining(&self) -> &[u8] {
        self.bytes.get(self.position..).unwrap_or_default()
    }

    /// The next byte.
    pub(crate) fn byte(&mut self) -> Result<u8, ProtocolError> {
        let [byte] = self.array::<1>()?;
        Ok(byte)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let head = self.remaining().get(..N).ok_or(ProtocolError::Truncated)?;
        let array = <[u8; N]>::try_from(head).map_err(|_| ProtocolError::Truncated)?;
        self.position += N;
        Ok(array)
    }

    /// The next big-endian `u16`.
    pub(crate) fn u16(&mut self) -> Result<u16, ProtocolError> {
        Ok(u16::from_be_bytes(self.array::<2>()?))
    }

    /// The next varint.
    pub(crate) fn varint(&mut self) -> Result<u64, ProtocolError> {
        let (value, used) = read_varint(self.remaining())?;
        self.position += used;
        Ok(value)
    }

    /// Whether every byte was read.
    pub(crate) fn is_at_end(&self) -> bool {
        self.remaining().is_empty()
    }

    /// The next `len` bytes, a slice of the message (no copy).
    pub(crate) fn take(&mut self, len: usize) -> Result<Bytes, ProtocolError> {
        let end = self.position.checked_add(len).filter(|end| *end <= self.bytes.len());
        let end = end.ok_or(ProtocolError::Truncated)?;
        let taken = self.bytes.slice(self.position..end);
        self.position = end;
        Ok(taken)
    }

    /// Everything after the cursor, without copying (nor touching the reference count).
    pub(crate) fn rest(self) -> Bytes {
        let mut bytes = self.bytes;
        bytes.advance(self.position);
        bytes
    }

    /// Checks that the message ended exactly at the cursor.
    pub(crate) fn finish(self) -> Result<(), ProtocolError> {
        match self.remaining().len() {
            0 => Ok(()),
            extra => Err(ProtocolError::TrailingBytes { extra }),
        }
    }
}
