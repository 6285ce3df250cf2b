//! A [`ResumeGuard`] kept as digests ([`GuardDigests`]), and resumed from them: how a
//! session restored from a store (after its server restarted, or on another node) checks
//! and rotates its token without the store ever holding a token.

use super::{count_outcome, refused, ResumeGuard};
use crate::protocol::{ProtocolError, ResumeToken, SessionLostReason, TokenDigest};
use std::collections::VecDeque;
use std::time::Duration;

/// What a store keeps of a [`ResumeGuard`]: the digests of its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardDigests {
    /// The token of the last WELCOME.
    pub current: TokenDigest,
    /// The token before it, while the rotation is unconfirmed.
    pub pending: Option<TokenDigest>,
    /// Tokens used before, newest first.
    pub used: Vec<TokenDigest>,
}

impl ResumeGuard {
    /// The guard's tokens as digests, to store.
    pub fn digests(&self) -> GuardDigests {
        let used = self.used.iter().cloned().collect();
        let pending = self.pending.as_ref().map(ResumeToken::digest);
        GuardDigests { current: self.current.digest(), pending, used }
    }

    /// Resumes a guard kept as `digests` with the `presented` token (§ 7 steps 2 and 6; the
    /// store decides expiry): refused as a replay or a forgery like [`check`](Self::check),
    /// else rotated as [`rotate`](Self::rotate) would. The guard returned knows both of
    /// its valid tokens: the new one and the presented one, now pending.
    pub fn restore(
        window: Duration,
        digests: &GuardDigests,
        presented: &ResumeToken,
    ) -> Result<Self, ProtocolError> {
        let voided = voided_by(digests, presented).map_err(refused)?;
        let mut used: VecDeque<TokenDigest> = voided.into_iter().collect();
        used.extend(digests.used.iter().cloned());
        used.truncate(super::REMEMBERED_TOKENS);
        let current = ResumeToken::generate()?;
        count_outcome(None);
        Ok(Self { current, pending: Some(presented.clone()), used, window, lost_at: None })
    }
}

/// The digest a resume presenting `presented` voids: the pending one when the current
/// token is presented, the current one when the pending token is.
fn voided_by(
    digests: &GuardDigests,
    presented: &ResumeToken,
) -> Result<Option<TokenDigest>, SessionLostReason> {
    if digests.current.matches(presented) {
        return Ok(digests.pending.clone());
    }
    if digests.pending.as_ref().is_some_and(|pending| pending.matches(presented)) {
        return Ok(Some(digests.current.clone()));
    }
    Err(mismatch(digests, presented))
}

/// A replay when `presented` is a used token, a forgery otherwise.
fn mismatch(digests: &GuardDigests, presented: &ResumeToken) -> SessionLostReason {
    let presented = presented.digest();
    match digests.used.iter().filter(|used| **used == presented).count() {
        0 => SessionLostReason::TokenMismatch,
        _ => SessionLostReason::TokenReplayed,
    }
}
