//! [`Marks`]: how far a stored session's changes were noted, or written.

/// How far a session's changes were noted and written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marks {
    /// The highest sequence number pushed into the outbox.
    pub(crate) pushed: u64,
    /// The client acknowledged through here.
    pub(super) acked: u64,
    /// The application took the client's messages through here.
    pub(crate) consumed: u64,
    /// How many times the token state changed.
    pub(super) tokens: u64,
    /// The messages other nodes posted were moved into the outbox through this id.
    pub(super) posts: u64,
}

impl Marks {
    /// Notes post `id` moved into the outbox, as sequence number `seq` if it was pushed.
    pub(super) fn took_post(&mut self, id: u64, seq: Option<u64>) {
        self.posts = id;
        self.pushed = self.pushed.max(seq.unwrap_or(0));
    }

    /// Each mark the higher of `self`'s and `other`'s.
    pub(crate) fn max(self, other: Marks) -> Marks {
        Marks {
            pushed: self.pushed.max(other.pushed),
            acked: self.acked.max(other.acked),
            consumed: self.consumed.max(other.consumed),
            tokens: self.tokens.max(other.tokens),
            posts: self.posts.max(other.posts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Marks;

    #[test]
    fn the_higher_of_each_mark() {
        let left = Marks { pushed: 3, acked: 1, consumed: 9, tokens: 0, posts: 4 };
        let right = Marks { pushed: 2, acked: 5, consumed: 1, tokens: 2, posts: 7 };
        let expected = Marks { pushed: 3, acked: 5, consumed: 9, tokens: 2, posts: 7 };
        assert_eq!(left.max(right), expected);
    }
}
