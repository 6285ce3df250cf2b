//! [`ResumeGuard`]: the server side of § 7 of `docs/protocol.md` for one session: the
//! current token, the previous one while its rotation is unconfirmed, the tokens already
//! used, the resume window, and the decision.

use super::error::ProtocolError;
use super::frame::SessionLostReason;
use super::token::{ResumeToken, TokenDigest};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

/// How many used tokens a session remembers, to tell a replay from a forgery.
pub const REMEMBERED_TOKENS: usize = 8;

/// Which of a session's valid tokens a resume presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// The token of the last WELCOME.
    Current,
    /// The token before it, still valid: the client has not confirmed the rotation.
    Pending,
}

/// Holds a session's resume token and decides whether a presented token resumes it.
///
/// Tokens are compared in constant time. An accepted resume rotates the token, but the
/// presented token stays valid (pending) until the client proves it received the new one:
/// [`confirm`](Self::confirm) on its first DATA, BATCH or ACK, or a resume with the new
/// token. So a WELCOME lost to a dropped connection costs a retry, not the session; once
/// confirmed, the old token is a replay. A refusal never changes the guard. Outcomes are
/// counted in `ws_protocol_resumes_total{outcome}` (`accepted`, `expired`,
/// `token_mismatch`, `token_replayed`).
#[derive(Debug)]
pub struct ResumeGuard {
    current: ResumeToken,
    pending: Option<ResumeToken>,
    used: VecDeque<TokenDigest>,
    window: Duration,
    lost_at: Option<Instant>,
}

impl ResumeGuard {
    /// A guard with a fresh token for a new session whose resume window is `window`.
    pub fn new(window: Duration) -> Result<Self, ProtocolError> {
        let current = ResumeToken::generate()?;
        Ok(Self { current, pending: None, used: VecDeque::new(), window, lost_at: None })
    }

    /// The token to put in the next WELCOME.
    pub fn token(&self) -> &ResumeToken {
        &self.current
    }

    /// Notes that the session's connection ended at `at`: the resume window starts.
    pub fn connection_lost(&mut self, at: Instant) {
        self.lost_at.get_or_insert(at);
    }

    /// Whether the session can no longer be resumed at `now` (its window passed).
    pub fn is_expired(&self, now: Instant) -> bool {
        self.lost_at.is_some_and(|lost_at| now.saturating_duration_since(lost_at) > self.window)
    }

    /// [`check`](Self::check) then [`rotate`](Self::rotate): the new token for the WELCOME.
    pub fn resume(
        &mut self,
        presented: &ResumeToken,
        now: Instant,
    ) -> Result<&ResumeToken, ProtocolError> {
        let which = self.check(presented, now)?;
        self.rotate(which)
    }

    /// Checks `presented` at `now` (§ 7 steps 1 and 2) without changing the guard. A
    /// refusal is [`ProtocolError::SessionLost`] with the reason to send, and is counted.
    pub fn check(&self, presented: &ResumeToken, now: Instant) -> Result<Presented, ProtocolError> {
        self.decide(presented, now).map_err(refused)
    }

    fn decide(
        &self,
        presented: &ResumeToken,
        now: Instant,
    ) -> Result<Presented, SessionLostReason> {
        let current = self.current.verify(presented);
        let pending = self.pending.as_ref().is_some_and(|pending| pending.verify(presented));
        match (self.is_expired(now), current, pending) {
            (true, ..) => Err(SessionLostReason::Expired),
            (_, true, _) => Ok(Presented::Current),
            (_, _, true) => Ok(Presented::Pending),
            _ => Err(self.mismatch(presented)),
        }
    }

    /// A wrong token: replayed if it is one used before, forged otherwise. Every used
    /// token is compared (no early exit), each in constant time.
    fn mismatch(&self, presented: &ResumeToken) -> SessionLostReason {
        let presented = presented.digest();
        let matches = self.used.iter().filter(|used| **used == presented).count();
        match matches {
            0 => SessionLostReason::TokenMismatch,
            _ => SessionLostReason::TokenReplayed,
        }
    }

    /// Rotates after a resume that presented `which` (§ 7 step 6) and returns the new token
    /// for the WELCOME. The current token presented commits the pending one (the client
    /// had the new token) and becomes pending itself; the pending one presented voids the
    /// current one (its WELCOME never arrived) and stays pending.
    pub fn rotate(&mut self, which: Presented) -> Result<&ResumeToken, ProtocolError> {
        let previous = std::mem::replace(&mut self.current, ResumeToken::generate()?);
        let void = self.void_after(which, previous);
        self.remember(void);
        self.lost_at = None;
        count_outcome(None);
        Ok(&self.current)
    }

    /// The token a rotation voids, given the token it replaced as current (`previous`).
    fn void_after(&mut self, which: Presented, previous: ResumeToken) -> Option<ResumeToken> {
        match which {
            Presented::Current => self.pending.replace(previous),
            Presented::Pending => Some(previous),
        }
    }

    /// The client proved it holds `welcomed` (the token its WELCOME carried): if that is
    /// still the current token, the pending one is committed and from now on a replay.
    pub fn confirm(&mut self, welcomed: &ResumeToken) {
        if self.current.verify(welcomed) {
            let committed = self.pending.take();
            self.remember(committed);
        }
    }

    fn remember(&mut self, used: Option<ResumeToken>) {
        if let Some(used) = used {
            self.used.push_front(used.digest());
            self.used.truncate(REMEMBERED_TOKENS);
        }
    }
}

/// A refusal, counted.
fn refused(reason: SessionLostReason) -> ProtocolError {
    count_outcome(Some(reason));
    ProtocolError::SessionLost(reason)
}

fn count_outcome(refusal: Option<SessionLostReason>) {
    let outcome = match refusal {
        None => "accepted",
        Some(SessionLostReason::Expired) => "expired",
        Some(SessionLostReason::TokenReplayed) => "token_replayed",
        Some(_) => "token_mismatch",
    };
    metrics::counter!("ws_protocol_resumes_total", "outcome" => outcome).increment(1);
}

mod stored;
pub use stored::GuardDigests;

#[cfg(test)]
mod tests;
