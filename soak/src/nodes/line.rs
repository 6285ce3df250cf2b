//! The lines a node writes on its stdout, one per thing the harness counts, and their
//! parsing: `listening`, `opened <session> <restored> <first>`, `sent <session> <number>`,
//! `received <session> <seq> <client> <number>`, `posted <session> <poster> <number>
//! <cross>`, `resumed <session>`, `lost`.

/// One report of a node to the harness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The node listens: clients can reach it.
    Listening,
    /// `accept` handed out a session.
    Opened(Opened),
    /// A durable send completed: the store committed message `number` of `session`.
    Sent {
        /// The session, in hex.
        session: String,
        /// The message's number (its sequence number in the session).
        number: u64,
    },
    /// The handler took a client's message.
    Received(Taken),
    /// The node posted a message to a session (told to by the harness).
    Posted(Post),
    /// A live session was resumed on a new connection of this process.
    Resumed,
    /// A resume was answered SESSION_LOST.
    Lost,
}

/// A session `accept` handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The session, in hex.
    pub session: String,
    /// Whether it came from the store (claimed: its fencing generation is above 1).
    pub restored: bool,
    /// The number its producer starts from: the store's next sequence number.
    pub first: u64,
}

/// A message a node posted to a session (`ReliableServer::post`), that the store (or
/// the node itself) took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The session, in hex.
    pub session: String,
    /// The posting process (its pid): numbers restart with each process.
    pub poster: u64,
    /// The poster's number of the message, from 1 per session.
    pub number: u64,
    /// Whether another node ran the session (the post went through the store's inbox).
    pub cross: bool,
}

impl std::fmt::Display for Post {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(out, "{} {} {} {}", self.session, self.poster, self.number, self.cross)
    }
}

/// A client's message the handler took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The session, in hex.
    pub session: String,
    /// Its client→server sequence number.
    pub seq: u64,
    /// The client's index (from the payload).
    pub client: u64,
    /// The client's own number of the message (from the payload).
    pub number: u64,
}

impl std::fmt::Display for Line {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Line::Opened(opened) => write!(out, "opened {opened}"),
            Line::Sent { session, number } => write!(out, "sent {session} {number}"),
            Line::Received(taken) => write!(out, "received {taken}"),
            Line::Posted(post) => write!(out, "posted {post}"),
            bare => out.write_str(bare.word().unwrap_or_default()),
        }
    }
}

impl Line {
    /// The word of a line that is nothing but itself.
    fn word(&self) -> Option<&'static str> {
        match self {
            Line::Listening => Some("listening"),
            Line::Resumed => Some("resumed"),
            Line::Lost => Some("lost"),
            _ => None,
        }
    }
}

impl std::fmt::Display for Opened {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(out, "{} {} {}", self.session, self.restored, self.first)
    }
}

impl std::fmt::Display for Taken {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(out, "{} {} {} {}", self.session, self.seq, self.client, self.number)
    }
}

/// Parses a line a node wrote; `None` for anything else.
pub fn parse(text: &str) -> Option<Line> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [word] => bare(word),
        ["opened", session, restored, first] => opened(session, restored, first),
        ["sent", session, number] => sent(session, number),
        [kind, rest @ ..] => counted(kind, rest),
        _ => None,
    }
}

/// A `received` or `posted` line.
fn counted(kind: &str, rest: &[&str]) -> Option<Line> {
    match kind {
        "received" => received(rest),
        "posted" => posted(rest),
        _ => None,
    }
}

fn bare(word: &str) -> Option<Line> {
    match word {
        "listening" => Some(Line::Listening),
        "resumed" => Some(Line::Resumed),
        "lost" => Some(Line::Lost),
        _ => None,
    }
}

fn opened(session: &str, restored: &str, first: &str) -> Option<Line> {
    let restored = restored.parse().ok()?;
    let first = first.parse().ok()?;
    Some(Line::Opened(Opened { session: session.to_owned(), restored, first }))
}

fn sent(session: &str, number: &str) -> Option<Line> {
    Some(Line::Sent { session: session.to_owned(), number: number.parse().ok()? })
}

fn received(words: &[&str]) -> Option<Line> {
    let [session, seq, client, number] = words else { return None };
    let seq = seq.parse().ok()?;
    let client = client.parse().ok()?;
    let number = number.parse().ok()?;
    Some(Line::Received(Taken { session: (*session).to_owned(), seq, client, number }))
}

fn posted(words: &[&str]) -> Option<Line> {
    let [session, poster, number, cross] = words else { return None };
    let poster = poster.parse().ok()?;
    let number = number.parse().ok()?;
    let cross = cross.parse().ok()?;
    Some(Line::Posted(Post { session: (*session).to_owned(), poster, number, cross }))
}

/// The payload of a client's message: `c <client> <number>`.
pub fn client_payload(client: u64, number: u64) -> String {
    format!("c {client} {number}")
}

/// The client and number of a client's payload.
pub fn parse_client_payload(text: &str) -> Option<(u64, u64)> {
    let mut words = text.split_whitespace();
    let "c" = words.next()? else { return None };
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

/// The payload of a node's message: `s <session> <number>`.
pub fn node_payload(session: &str, number: u64) -> String {
    format!("s {session} {number}")
}

/// The session and number of a node's payload.
pub fn parse_node_payload(text: &str) -> Option<(String, u64)> {
    let mut words = text.split_whitespace();
    let "s" = words.next()? else { return None };
    Some((words.next()?.to_owned(), words.next()?.parse().ok()?))
}

/// The payload of a post: `p <session> <poster> <number>`.
pub fn post_payload(post: &Post) -> String {
    format!("p {} {} {}", post.session, post.poster, post.number)
}

/// The session, poster and number of a post's payload.
pub fn parse_post_payload(text: &str) -> Option<(String, u64, u64)> {
    let mut words = text.split_whitespace();
    let "p" = words.next()? else { return None };
    let session = words.next()?.to_owned();
    Some((session, words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_reads_back_as_written() {
        let lines = [
            Line::Listening,
            Line::Resumed,
            Line::Lost,
            Line::Opened(Opened { session: "ab".into(), restored: true, first: 7 }),
            Line::Sent { session: "ab".into(), number: 3 },
            Line::Received(Taken { session: "ab".into(), seq: 2, client: 9, number: 4 }),
            Line::Posted(Post { session: "ab".into(), poster: 7, number: 2, cross: true }),
        ];
        for line in lines {
            assert_eq!(parse(&line.to_string()), Some(line));
        }
        assert_eq!(parse("sent ab x"), None);
        assert_eq!(parse("noise"), None);
    }

    #[test]
    fn payloads_read_back() {
        assert_eq!(parse_client_payload(&client_payload(3, 8)), Some((3, 8)));
        assert_eq!(parse_node_payload(&node_payload("ab", 8)), Some(("ab".into(), 8)));
        assert_eq!(parse_client_payload("s ab 8"), None);
        let post = Post { session: "ab".into(), poster: 7, number: 2, cross: false };
        assert_eq!(parse_post_payload(&post_payload(&post)), Some(("ab".into(), 7, 2)));
    }
}
