//! The soak messages: each names the client it is for and its number in that client's
//! sequence, padded to a fixed size, so a client can check every message it receives.

/// Bytes of every soak message (the size of the reference throughput workload).
pub const SIZE: usize = 64;

/// Who a message is for and where it stands in that client's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The client's index.
    pub client: u32,
    /// The message's number for that client, from 0.
    pub number: u64,
}

impl Stamp {
    /// The message bytes: client (4 bytes LE), number (8 bytes LE), zero padding.
    pub fn encode(self) -> Vec<u8> {
        let mut bytes = vec![0; SIZE];
        bytes[..4].copy_from_slice(&self.client.to_le_bytes());
        bytes[4..12].copy_from_slice(&self.number.to_le_bytes());
        bytes
    }

    /// The binary WebSocket message carrying this stamp.
    pub fn message(self) -> tokio_tungstenite::tungstenite::Message {
        tokio_tungstenite::tungstenite::Message::binary(self.encode())
    }

    /// The stamp of a message, `None` when it is not one of ours.
    pub fn decode(bytes: &[u8]) -> Option<Stamp> {
        if bytes.len() != SIZE {
            return None;
        }
        let client = u32::from_le_bytes(bytes[..4].try_into().ok()?);
        let number = u64::from_le_bytes(bytes[4..12].try_into().ok()?);
        Some(Stamp { client, number })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_round_trips_and_strangers_are_refused() {
        let stamp = Stamp { client: 999, number: u64::MAX - 3 };
        let bytes = stamp.encode();
        assert_eq!(bytes.len(), SIZE);
        assert_eq!(Stamp::decode(&bytes), Some(stamp));
        assert_eq!(Stamp::decode(&bytes[..12]), None);
        assert_eq!(Stamp::decode(&[0; SIZE + 1]), None);
    }
}
