//! [`ResumeGuard`]: the server side of § 7 of `docs/protocol.md` for one session: the
//! current token, the tokens already used, the resume window, and the decision.

use super::error::ProtocolError;
use super::frame::SessionLostReason;
use super::token::ResumeToken;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

/// How many used tokens a session remembers, to tell a replay from a forgery.
pub const REMEMBERED_TOKENS: usize = 8;

/// Holds a session's resume token and decides whether a presented token resumes it.
///
/// The token is compared in constant time and rotated on every accepted resume, so each
/// token works once. A refusal never changes the guard: the holder of the current token
/// can still resume. Outcomes are counted in `ws_protocol_resumes_total{outcome}`
/// (`accepted`, `expired`, `token_mismatch`, `token_replayed`).
#[derive(Debug)]
pub struct ResumeGuard {
    current: ResumeToken,
    used: VecDeque<ResumeToken>,
    window: Duration,
    lost_at: Option<Instant>,
}

impl ResumeGuard {
    /// A guard with a fresh token for a new session whose resume window is `window`.
    pub fn new(window: Duration) -> Result<Self, ProtocolError> {
        let current = ResumeToken::generate()?;
        Ok(Self { current, used: VecDeque::new(), window, lost_at: None })
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

    /// Checks `presented` at `now`; on success rotates the token and returns the new one
    /// for the WELCOME. A refusal is [`ProtocolError::SessionLost`] with the reason to send.
    pub fn resume(
        &mut self,
        presented: &ResumeToken,
        now: Instant,
    ) -> Result<&ResumeToken, ProtocolError> {
        let refusal = self.refusal(presented, now);
        count_outcome(refusal);
        if let Some(reason) = refusal {
            return Err(ProtocolError::SessionLost(reason));
        }
        self.rotate()?;
        Ok(&self.current)
    }

    fn refusal(&self, presented: &ResumeToken, now: Instant) -> Option<SessionLostReason> {
        if self.is_expired(now) {
            Some(SessionLostReason::Expired)
        } else if self.current.verify(presented) {
            None
        } else {
            Some(self.mismatch(presented))
        }
    }

    /// A wrong token: replayed if it is one used before, forged otherwise. Every used
    /// token is compared (no early exit), each in constant time.
    fn mismatch(&self, presented: &ResumeToken) -> SessionLostReason {
        let matches = self.used.iter().filter(|used| used.verify(presented)).count();
        match matches {
            0 => SessionLostReason::TokenMismatch,
            _ => SessionLostReason::TokenReplayed,
        }
    }

    fn rotate(&mut self) -> Result<(), ProtocolError> {
        let next = ResumeToken::generate()?;
        self.used.push_front(std::mem::replace(&mut self.current, next));
        self.used.truncate(REMEMBERED_TOKENS);
        self.lost_at = None;
        Ok(())
    }
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

#[cfg(test)]
mod tests;
