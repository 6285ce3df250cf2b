//! A node's poster: told by the harness (a `post <session>` line on stdin) to send to a
//! session, it calls `ReliableServer::post`, one post at a time so that each session gets
//! a poster's numbers in order, and reports each post the store (or this node) took.

use super::line::{post_payload, Line, Post};
use super::node::report;
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::SessionId;
use ws_reliability::server::{Delivery, ReliableServer};

/// Posts to the sessions it is told of, numbering per session.
pub struct Poster {
    server: ReliableServer,
    /// This process (its pid): a restarted node numbers afresh under another poster.
    poster: u64,
    /// The last number posted (and taken) per session.
    numbers: HashMap<String, u64>,
    /// Sessions a post to failed: never posted to again, so a number is never skipped.
    failed: HashSet<String>,
}

impl Poster {
    /// A poster for `server`'s process.
    pub fn new(server: ReliableServer) -> Self {
        let poster = u64::from(std::process::id());
        Poster { server, poster, numbers: HashMap::new(), failed: HashSet::new() }
    }

    /// Posts to each session it is told of until the orders end.
    pub async fn run(mut self, mut orders: mpsc::UnboundedReceiver<String>) -> Result<(), String> {
        while let Some(session) = orders.recv().await {
            self.post(session).await?;
        }
        Ok(())
    }

    /// One post to `session` (unless one failed before), reported once taken.
    async fn post(&mut self, session: String) -> Result<(), String> {
        let Some(id) = parse_session(&session).filter(|_| !self.failed.contains(&session)) else {
            return Ok(());
        };
        let number = self.numbers.get(&session).copied().unwrap_or(0) + 1;
        let mut post = Post { session, poster: self.poster, number, cross: false };
        let delivery = self.server.post(id, Message::text(post_payload(&post))).await;
        self.taken(&mut post, delivery.ok())
    }

    /// Reports `post` if it was taken (and how), else never posts to its session again.
    fn taken(&mut self, post: &mut Post, delivery: Option<Delivery>) -> Result<(), String> {
        let Some(delivery) = delivery else {
            self.failed.insert(post.session.clone());
            return Ok(());
        };
        post.cross = matches!(delivery, Delivery::Posted { .. });
        self.numbers.insert(post.session.clone(), post.number);
        report(&Line::Posted(post.clone()))
    }
}

/// A session id from its 32 hex digits.
fn parse_session(hex: &str) -> Option<SessionId> {
    let mut bytes = [0; 16];
    let pairs = hex.as_bytes().chunks(2);
    (hex.len() == 32).then_some(())?;
    for (byte, pair) in bytes.iter_mut().zip(pairs) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(SessionId::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::parse_session;

    #[test]
    fn a_session_id_reads_back_from_its_hex() {
        let id = ws_reliability::protocol::SessionId::from_bytes([0xab; 16]);
        assert_eq!(parse_session(&id.to_string()), Some(id));
        assert_eq!(parse_session("xyz"), None);
    }
}
