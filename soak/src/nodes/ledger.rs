//! What the harness saw, both ways, and the figures it makes of it.
//!
//! Node→client: a node reports each completed durable send (`sent`) and each session
//! `accept` handed out (`opened`, restored or fresh, with the number its producer starts
//! from); a client reports each message it got. Per session the client must get the
//! producers' numbers increasing, once each: a number at or below the last one is a
//! duplicate. A restored producer starts at the store's next sequence number, which posts
//! from other nodes may have raised past its last number, so a delivery may jump ahead: a
//! number it passed over that a node reported sent is a gap (lost). At the end, every
//! number reported sent must have been delivered. A restored producer starting at or below
//! a number already reported sent means the store lost committed messages: `reused`.
//!
//! Cross-node sends: a node told to post to a session another node runs reports each post
//! the store took (`posted`, numbered per session and poster); the client must get each
//! poster's numbers 1, 2, 3, ... once each (one poster posts to a session one at a time).
//!
//! Client→server: each client's messages are numbered; a node reports each one it took
//! with its session and sequence number. A number taken twice under the same session and
//! sequence is a repeat across a crash (allowed: the application can drop it by those
//! two); under another one, a duplicate. A number a client sent and no node took is lost.

use super::line::{Line, Opened, Post, Taken};
use spans::Spans;
use std::collections::HashMap;

mod spans;

/// One session's (or one poster's) server→client figures.
#[derive(Debug, Default, Clone)]
struct Tally {
    sent: Spans,
    sent_max: u64,
    delivered_through: u64,
    skipped: Spans,
    holder: Option<usize>,
}

impl Tally {
    /// Notes delivered `number`: whether it is a duplicate.
    fn delivered(&mut self, number: u64) -> bool {
        let expected = self.delivered_through + 1;
        if number < expected {
            return true;
        }
        self.skipped.add_run(expected..number);
        self.delivered_through = number;
        false
    }
}

/// Where a client's message was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    session: String,
    seq: u64,
}

/// A session and the node that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The session, in hex.
    pub session: String,
    /// The node's index.
    pub holder: usize,
}

/// Everything counted so far.
#[derive(Debug, Default)]
pub struct Ledger {
    sessions: HashMap<String, Tally>,
    /// Per session and poster.
    posts: HashMap<(String, u64), Tally>,
    taken: HashMap<(u64, u64), Place>,
    client_sent: HashMap<u64, u64>,
    /// The figures counted as they come.
    pub counts: Counts,
}

/// Figures counted as they come.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Counts {
    /// Durable sends completed (reported by the nodes).
    pub durable_sends: u64,
    /// Messages the clients got.
    pub delivered: u64,
    /// Server→client messages a client got again.
    pub duplicated: u64,
    /// Server→client numbers reported sent that a client's deliveries passed over
    /// (filled in by [`Ledger::counts`]).
    pub gaps: u64,
    /// Messages posted to a session another node ran, that the store took.
    pub cross_node_sends: u64,
    /// Posts that found the session on the posting node itself.
    pub local_posts: u64,
    /// Numbers reported sent that a restored producer started at or below.
    pub reused: u64,
    /// Sessions restored from the store on the node that held them before.
    pub resumed_same_node: u64,
    /// Sessions restored from the store on another node than the last that held them.
    pub resumed_other_node: u64,
    /// `SessionEvent::Resumed` at the nodes (a live resume, or a session restored from the store).
    pub resumed_events: u64,
    /// Fresh sessions handed out.
    pub fresh_sessions: u64,
    /// SESSION_LOST answers sent by nodes.
    pub lost_answers: u64,
    /// SESSION_LOST seen by clients.
    pub sessions_lost: u64,
    /// Client messages the client counted as failed with a lost session.
    pub unconfirmed: u64,
    /// Client messages sent.
    pub client_sent: u64,
    /// Client messages taken (first time).
    pub client_taken: u64,
    /// Client messages taken again under the same session and sequence (allowed).
    pub client_repeats: u64,
    /// Client messages taken again under another session or sequence.
    pub client_duplicated: u64,
}

impl Counts {
    /// The counter of a session `accept` handed out: fresh, or restored on the node that
    /// held it last (`same`) or on another.
    fn opened(&mut self, restored: bool, same: bool) -> &mut u64 {
        if !restored {
            &mut self.fresh_sessions
        } else if same {
            &mut self.resumed_same_node
        } else {
            &mut self.resumed_other_node
        }
    }
}

impl Ledger {
    /// Counts a node's line.
    pub fn node_line(&mut self, node: usize, line: Line) {
        match line {
            Line::Opened(opened) => self.opened(node, opened),
            Line::Sent { session, number } => self.sent(&session, number),
            Line::Posted(post) => self.posted(post),
            Line::Received(taken) => self.taken(taken),
            other => self.counted(&other),
        }
    }

    /// Counts a line that carries nothing but itself.
    fn counted(&mut self, line: &Line) {
        match line {
            Line::Resumed => self.counts.resumed_events += 1,
            Line::Lost => self.counts.lost_answers += 1,
            _ => {}
        }
    }

    fn opened(&mut self, node: usize, opened: Opened) {
        let tally = self.sessions.entry(opened.session).or_default();
        let same = tally.holder.replace(node) == Some(node);
        self.counts.reused += (tally.sent_max + 1).saturating_sub(opened.first);
        *self.counts.opened(opened.restored, same) += 1;
    }

    fn sent(&mut self, session: &str, number: u64) {
        let tally = self.sessions.entry(session.to_owned()).or_default();
        tally.sent.add(number);
        tally.sent_max = tally.sent_max.max(number);
        self.counts.durable_sends += 1;
    }

    fn posted(&mut self, post: Post) {
        let counter = if post.cross {
            &mut self.counts.cross_node_sends
        } else {
            &mut self.counts.local_posts
        };
        *counter += 1;
        let tally = self.posts.entry((post.session, post.poster)).or_default();
        tally.sent.add(post.number);
    }

    fn taken(&mut self, taken: Taken) {
        let place = Place { session: taken.session, seq: taken.seq };
        let counter = match self.taken.get(&(taken.client, taken.number)) {
            None => &mut self.counts.client_taken,
            Some(before) if *before == place => &mut self.counts.client_repeats,
            Some(_) => &mut self.counts.client_duplicated,
        };
        *counter += 1;
        self.taken.entry((taken.client, taken.number)).or_insert(place);
    }

    /// Counts message `number` of `session` delivered to its client.
    pub fn delivered(&mut self, session: &str, number: u64) {
        let tally = self.sessions.entry(session.to_owned()).or_default();
        self.counts.delivered += 1;
        self.counts.duplicated += u64::from(tally.delivered(number));
    }

    /// Counts post `number` of `poster` to `session` delivered to its client.
    pub fn post_delivered(&mut self, session: &str, poster: u64, number: u64) {
        let tally = self.posts.entry((session.to_owned(), poster)).or_default();
        self.counts.delivered += 1;
        self.counts.duplicated += u64::from(tally.delivered(number));
    }

    /// The figures, with the gaps: reported sends (and posts) deliveries passed over.
    pub fn counts(&self) -> Counts {
        let tallies = self.sessions.values().chain(self.posts.values());
        let gaps = tallies.map(|tally| tally.sent.common(&tally.skipped)).sum();
        Counts { gaps, ..self.counts }
    }

    /// Counts client `client`'s message `number` as sent.
    pub fn client_sent(&mut self, client: u64, number: u64) {
        let sent = self.client_sent.entry(client).or_default();
        *sent = (*sent).max(number);
        self.counts.client_sent += 1;
    }

    /// Counts a SESSION_LOST a client saw, and its messages never confirmed.
    pub fn client_lost(&mut self, unconfirmed: u64) {
        self.counts.sessions_lost += 1;
        self.counts.unconfirmed += unconfirmed;
    }

    /// A session some node holds (the last one that opened it), drawn with `draw`.
    pub fn drawn_session(&self, draw: &mut fastrand::Rng) -> Option<Held> {
        let held = self.sessions.iter().filter_map(|(session, tally)| {
            tally.holder.map(|holder| Held { session: session.clone(), holder })
        });
        let held: Vec<Held> = held.collect();
        held.get(draw.usize(..held.len().max(1))).cloned()
    }

    /// Reported-sent messages (and posts) not delivered yet, over every session.
    pub fn undelivered(&self) -> u64 {
        self.undelivered_posts() + behind(self.sessions.values())
    }

    /// Posts reported taken and not delivered yet.
    pub fn undelivered_posts(&self) -> u64 {
        behind(self.posts.values())
    }

    /// Client messages sent and not taken yet.
    pub fn untaken(&self) -> u64 {
        self.counts.client_sent.saturating_sub(self.counts.client_taken)
    }
}

/// The numbers reported sent and not delivered yet, over `tallies`.
fn behind<'a>(tallies: impl Iterator<Item = &'a Tally>) -> u64 {
    tallies.map(|tally| tally.sent.above(tally.delivered_through)).sum()
}

#[cfg(test)]
mod tests;
