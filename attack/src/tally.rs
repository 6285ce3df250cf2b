//! [`Tally`]: how the server ended the attackers' connections, seen from the client side
//! (a close code, a reset, or still open), counted by label.

use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// Close labels per attack: attack name → label → connections.
pub type Closes = BTreeMap<String, BTreeMap<String, u64>>;

/// Close labels counted over every attacking connection, per attack.
#[derive(Debug, Default)]
pub struct Tally {
    closes: Mutex<Closes>,
}

impl Tally {
    /// Counts one connection of `attack` that ended with `label`.
    pub fn count(&self, attack: &str, label: &str) {
        if let Ok(mut closes) = self.closes.lock() {
            let labels = closes.entry(attack.to_owned()).or_default();
            *labels.entry(label.to_owned()).or_default() += 1;
        }
    }

    /// The counts so far.
    pub fn snapshot(&self) -> Closes {
        self.closes.lock().map(|closes| closes.clone()).unwrap_or_default()
    }
}

/// The label of a close frame: its code (`4001`), or `close_without_code`.
pub fn close_label(frame: Option<&CloseFrame>) -> String {
    match frame {
        Some(frame) => u16::from(frame.code).to_string(),
        None => "close_without_code".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

    #[test]
    fn labels_are_counted() {
        let tally = Tally::default();
        tally.count("never_ack", "4001");
        tally.count("never_ack", "4001");
        tally.count("no_hello", "reset");
        let snapshot = tally.snapshot();
        assert_eq!(snapshot["never_ack"].get("4001"), Some(&2));
        assert_eq!(snapshot["no_hello"].get("reset"), Some(&1));
    }

    #[test]
    fn close_frames_are_labelled_by_code() {
        let frame = CloseFrame { code: CloseCode::from(4002), reason: "".into() };
        assert_eq!(close_label(Some(&frame)), "4002");
        assert_eq!(close_label(None), "close_without_code");
    }
}
