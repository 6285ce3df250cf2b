//! Between the session's own types and the store's: tokens as digests, outbox entries.

use crate::protocol::{GuardDigests, Payload, TokenDigest};
use crate::session_link::Stored;
use bytes::BytesMut;
use tokio_tungstenite::tungstenite::Bytes;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use ws_store::{Entry, Kind, Posted, TokenHash, Tokens};

/// A guard's digests as the store keeps them.
pub(crate) fn tokens_of(digests: &GuardDigests) -> Tokens {
    let hash = |digest: &TokenDigest| TokenHash(digest.0);
    let used = digests.used.iter().map(hash).collect();
    Tokens { current: hash(&digests.current), pending: digests.pending.as_ref().map(hash), used }
}

/// The digests of stored tokens.
pub(crate) fn digests_of(tokens: &Tokens) -> GuardDigests {
    let digest = |hash: &TokenHash| TokenDigest(hash.0);
    let used = tokens.used.iter().map(digest).collect();
    GuardDigests {
        current: digest(&tokens.current),
        pending: tokens.pending.as_ref().map(digest),
        used,
    }
}

/// Outbox messages as store entries, their bytes copied into one buffer that every
/// entry's payload slices: one allocation per write, not one per message.
#[derive(Debug)]
pub(crate) struct Entries {
    through: u64,
    bytes: BytesMut,
    spans: Vec<Span>,
}

/// Where one entry's payload ends in the buffer.
#[derive(Debug)]
struct Span {
    seq: u64,
    kind: Kind,
    end: usize,
}

impl Entries {
    /// Entries numbered up to `through`; later ones are left out.
    pub(crate) fn through(through: u64) -> Self {
        Entries { through, bytes: BytesMut::new(), spans: Vec::new() }
    }

    /// Adds message `seq` (its bytes copied), unless it is past `through`.
    pub(crate) fn add(&mut self, seq: u64, stored: &Stored) {
        if seq <= self.through {
            self.bytes.extend_from_slice(stored.as_bytes());
            let end = self.bytes.len();
            self.spans.push(Span { seq, kind: kind_of(stored), end });
        }
    }

    /// The entries, in the order added.
    pub(crate) fn finish(self) -> Vec<Entry> {
        let bytes = self.bytes.freeze();
        let mut start = 0;
        let entry = |span: Span| {
            let payload = bytes.slice(std::mem::replace(&mut start, span.end)..span.end);
            Entry { seq: span.seq, kind: span.kind, payload }
        };
        self.spans.into_iter().map(entry).collect()
    }
}

/// Whether an outbox message is text or binary, as the store says it.
pub(crate) fn kind_of(stored: &Stored) -> Kind {
    if stored.is_text() {
        Kind::Text
    } else {
        Kind::Binary
    }
}

/// A store entry as an outbox message; `None` for text that is not UTF-8 (a damaged store).
pub(crate) fn stored_of(entry: &Entry) -> Option<Stored> {
    message_of(entry.kind, &entry.payload)
}

/// A message another node posted, as an outbox message; `None` as for [`stored_of`].
pub(crate) fn stored_of_posted(posted: &Posted) -> Option<Stored> {
    message_of(posted.kind, &posted.payload)
}

fn message_of(kind: Kind, bytes: &Bytes) -> Option<Stored> {
    let payload = match kind {
        Kind::Text => Payload::Text(Utf8Bytes::try_from(bytes.clone()).ok()?),
        Kind::Binary => Payload::Binary(bytes.clone()),
    };
    Some(Stored::from(payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ResumeGuard;

    #[test]
    fn tokens_and_entries_survive_the_round_trip() {
        let guard = ResumeGuard::new(std::time::Duration::from_secs(1)).unwrap();
        assert_eq!(digests_of(&tokens_of(&guard.digests())), guard.digests());
        let text = Stored::from(Payload::Text("héllo".into()));
        let mut entries = Entries::through(7);
        entries.add(7, &text);
        entries.add(8, &text);
        let [entry] = entries.finish().try_into().unwrap();
        assert_eq!((entry.seq, entry.kind), (7, Kind::Text));
        assert_eq!(stored_of(&entry).unwrap().as_bytes(), "héllo".as_bytes());
        let broken = Entry { seq: 1, kind: Kind::Text, payload: Bytes::from_static(&[0xff]) };
        assert!(stored_of(&broken).is_none(), "not UTF-8: refused, never replayed");
    }
}
