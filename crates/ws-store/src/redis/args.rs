//! The arguments of each script call, in the order its `.lua` file reads them.

use super::config::KeyNames;
use super::fields::{pending, used};
use super::reply::kind_code;
use crate::changes::{Changes, Claim, Deadlines, NewPost, SessionWrite};
use crate::record::{Lease, SessionKey, Tokens, UnixMillis};
use redis::{Script, ScriptInvocation};

/// A call of `script` on one session's three keys.
pub fn on_session<'a>(script: &'a Script, names: &KeyNames) -> ScriptInvocation<'a> {
    let mut invocation = script.prepare_invoke();
    invocation.key(&names.record).key(&names.outbox).key(&names.inbox);
    invocation
}

/// `claim.lua`'s arguments after the grace; `notices` is the notice sets' prefix.
pub fn claim(invocation: &mut ScriptInvocation<'_>, claim: &Claim, now: UnixMillis, notices: &str) {
    invocation.arg(now.0).arg(&claim.expected.0[..]).arg(&claim.node.0);
    let deadlines = claim.deadlines;
    invocation.arg(deadlines.lease_until.0).arg(deadlines.expires_at.0);
    tokens(invocation, &claim.tokens);
    invocation.arg(notices).arg(claim.key.to_string());
}

fn tokens(invocation: &mut ScriptInvocation<'_>, tokens: &Tokens) {
    invocation.arg(&tokens.current.0[..]).arg(pending(tokens)).arg(used(tokens));
}

/// `commit.lua`'s arguments after the grace: the changes (absent ones as empty strings),
/// then the batch of entries.
pub fn commit(invocation: &mut ScriptInvocation<'_>, changes: &Changes) {
    invocation.arg(optional(changes.acked_through)).arg(optional(changes.received_through));
    new_tokens(invocation, changes.tokens.as_ref());
    deadlines(invocation, changes.deadlines);
    invocation.arg(optional(changes.inbox_through));
    super::batch::write(invocation, &changes.append);
}

fn new_tokens(invocation: &mut ScriptInvocation<'_>, new: Option<&Tokens>) {
    match new {
        Some(new) => tokens(invocation, new),
        None => absent(invocation, 3),
    }
}

fn deadlines(invocation: &mut ScriptInvocation<'_>, deadlines: Option<Deadlines>) {
    match deadlines {
        Some(new) => {
            invocation.arg(new.lease_until.0).arg(new.expires_at.0);
        }
        None => absent(invocation, 2),
    }
}

fn absent(invocation: &mut ScriptInvocation<'_>, count: usize) {
    for _ in 0..count {
        invocation.arg("");
    }
}

fn optional(value: Option<u64>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// The lease a write or a removal is fenced with: node, generation.
pub fn lease(invocation: &mut ScriptInvocation<'_>, lease: &Lease) {
    invocation.arg(&lease.node.0).arg(lease.generation);
}

/// `remove.lua`'s arguments: the lease, then the notice sets' prefix and the session key.
pub fn remove(invocation: &mut ScriptInvocation<'_>, lease: &Lease, notices: &str) {
    self::lease(invocation, lease);
    invocation.arg(notices).arg(lease.key.to_string());
}

/// `post.lua`'s arguments after the grace.
pub fn post(invocation: &mut ScriptInvocation<'_>, message: Message<'_>) {
    invocation.arg(kind_code(message.post.kind)).arg(message.post.payload.as_ref());
    invocation.arg(&message.notices).arg(message.key.to_string());
    invocation.arg(message.post.max_inbox);
}

/// A posted message and where its owner's notice goes.
pub struct Message<'a> {
    /// The message, and the most posts its inbox may hold.
    pub post: &'a NewPost,
    /// The notice sets' prefix.
    pub notices: String,
    /// The session.
    pub key: &'a SessionKey,
}

/// The script call of one session's write: lease, grace, changes.
pub fn write<'a>(
    script: &'a Script,
    names: &KeyNames,
    write: &SessionWrite,
    grace: u64,
) -> ScriptInvocation<'a> {
    let mut invocation = on_session(script, names);
    lease(&mut invocation, &write.lease);
    invocation.arg(grace);
    commit(&mut invocation, &write.changes);
    invocation
}
