//! [`ResumeToken`] and [`SessionId`]: 128-bit values from the operating system's CSPRNG.
//!
//! A resume token is a secret: it is compared in constant time and never printed. A
//! session id is not secret, but it is random too, so ids cannot be guessed or enumerated.

use super::error::ProtocolError;
use std::fmt;

/// Length in bytes of a [`ResumeToken`] and of a [`SessionId`] (128 bits).
pub const ID_LEN: usize = 16;

/// Fills an array from the operating system's CSPRNG (from the thread's seeded generator
/// instead under the `simulation` feature, once seeded).
fn random_bytes() -> Result<[u8; ID_LEN], ProtocolError> {
    #[cfg(feature = "simulation")]
    if let Some(bytes) = super::simulation::next_id() {
        return Ok(bytes);
    }
    let mut bytes = [0; ID_LEN];
    getrandom::fill(&mut bytes).map_err(ProtocolError::RandomUnavailable)?;
    Ok(bytes)
}

/// Whether two ids are equal, in time that does not depend on where they differ
/// (`subtle`'s constant-time comparison).
fn constant_time_eq(left: &[u8; ID_LEN], right: &[u8; ID_LEN]) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(&left[..], &right[..]))
}

/// Lower-case hex of a byte array.
fn write_hex(bytes: &[u8], out: &mut fmt::Formatter<'_>) -> fmt::Result {
    bytes.iter().try_for_each(|byte| write!(out, "{byte:02x}"))
}

/// A single-use secret that lets a client resume its session; rotated on every resume.
///
/// Equality runs in constant time. `Debug` prints no bytes.
#[derive(Clone)]
pub struct ResumeToken([u8; ID_LEN]);

impl ResumeToken {
    /// A fresh token from the OS CSPRNG.
    pub fn generate() -> Result<Self, ProtocolError> {
        random_bytes().map(Self)
    }

    /// The token with these bytes, as read from the wire.
    pub fn from_bytes(bytes: [u8; ID_LEN]) -> Self {
        Self(bytes)
    }

    /// The token's bytes, to put on the wire.
    pub fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.0
    }

    /// Whether `presented` is this token, compared in constant time.
    pub fn verify(&self, presented: &ResumeToken) -> bool {
        constant_time_eq(&self.0, &presented.0)
    }

    /// The token's SHA-256 digest: what is kept of a token once it is used, and all a
    /// session store keeps, so a copy of the store or of the memory resumes nothing.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(<sha2::Sha256 as sha2::Digest>::digest(self.0).into())
    }
}

/// The SHA-256 digest of a [`ResumeToken`]. Equality runs in constant time; `Debug`
/// prints no bytes.
#[derive(Clone)]
pub struct TokenDigest(pub [u8; 32]);

impl TokenDigest {
    /// Whether `presented` has this digest, compared in constant time.
    pub fn matches(&self, presented: &ResumeToken) -> bool {
        self == &presented.digest()
    }
}

impl PartialEq for TokenDigest {
    fn eq(&self, other: &Self) -> bool {
        bool::from(subtle::ConstantTimeEq::ct_eq(&self.0[..], &other.0[..]))
    }
}

impl Eq for TokenDigest {}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str("TokenDigest(<redacted>)")
    }
}

impl PartialEq for ResumeToken {
    fn eq(&self, other: &Self) -> bool {
        self.verify(other)
    }
}

impl Eq for ResumeToken {}

impl fmt::Debug for ResumeToken {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str("ResumeToken(<redacted>)")
    }
}

/// The id of a session, chosen by the server at random.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; ID_LEN]);

impl SessionId {
    /// A fresh id from the OS CSPRNG.
    pub fn generate() -> Result<Self, ProtocolError> {
        random_bytes().map(Self)
    }

    /// The id with these bytes, as read from the wire.
    pub fn from_bytes(bytes: [u8; ID_LEN]) -> Self {
        Self(bytes)
    }

    /// The id's bytes, to put on the wire.
    pub fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.0, out)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "SessionId({self})")
    }
}

#[cfg(test)]
mod tests;
