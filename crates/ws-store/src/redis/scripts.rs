//! The Lua scripts, one per operation, each atomic on Redis. Each is `lua/common.lua`
//! (the shared helpers) followed by the operation's own file.

use redis::Script;
use std::sync::LazyLock;

/// The helpers every script starts with.
const COMMON: &str = include_str!("lua/common.lua");

fn script(body: &str) -> Script {
    Script::new(&format!("{COMMON}\n{body}"))
}

/// `create`: refused if the record exists.
pub static CREATE: LazyLock<Script> = LazyLock::new(|| script(include_str!("lua/create.lua")));
/// `claim`: expiry, token check, generation raised, tokens replaced.
pub static CLAIM: LazyLock<Script> = LazyLock::new(|| script(include_str!("lua/claim.lua")));
/// `commit` of one session's changes, fenced.
pub static COMMIT: LazyLock<Script> = LazyLock::new(|| script(include_str!("lua/commit.lua")));
/// `post` to the inbox.
pub static POST: LazyLock<Script> = LazyLock::new(|| script(include_str!("lua/post.lua")));
/// `remove`, fenced.
pub static REMOVE: LazyLock<Script> = LazyLock::new(|| script(include_str!("lua/remove.lua")));
/// `load`: record, outbox and inbox in one read.
pub static LOAD: LazyLock<Script> = LazyLock::new(|| script(include_str!("lua/load.lua")));
