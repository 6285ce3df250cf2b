//! `cargo xtask compliance`: the code rules of the product plan, enforced on the whole tree.
//!
//! Static checks (no build needed): every `.rs` file at most [`MAX_FILE_LINES`] lines, every
//! non-test function body at most [`MAX_FN_LINES`] lines of code, every file opening with a
//! `//!` line, every crate root carrying `#![forbid(unsafe_code)]` and
//! `#![deny(missing_docs)]`, every MUST id of `docs/protocol.md` named by a test
//! ([`musts`]), no `match` on a bool and no tuple parameter ([`packing`]); a `let` binding N
//! names from a tuple of N expressions counts as N lines. Known violations are listed in the
//! ratchet [`baseline::BASELINE`]. Then clippy with `-D warnings`.

pub mod baseline;
mod fn_len;
mod lines;
pub mod musts;
mod packed_let;
pub mod packing;
#[cfg(test)]
mod packing_tests;
mod report;
mod rules;
pub mod source;
#[cfg(test)]
mod tests;

pub use report::CheckResult;
pub use source::SourceFile;

use crate::cmd::{self, Outcome};

/// The most lines a `.rs` file may have, counted raw.
pub const MAX_FILE_LINES: usize = 300;
/// The most lines of code a non-test function body may have.
pub const MAX_FN_LINES: usize = 8;

/// Runs every check on the workspace and prints the report; clippy too when asked.
pub fn run(json: bool, with_clippy: bool) -> Outcome {
    let mut results = tree_checks(&cmd::workspace_root())?;
    if with_clippy {
        results.push(clippy()?);
    }
    report::print(&results, json);
    report::print_remaining(&results, json);
    Ok(results.iter().all(CheckResult::passed))
}

/// The checks that read the tree at `root`: [`static_checks`] on its Rust sources, then
/// the protocol's MUST ids against its tests, then the baseline of known violations.
pub fn tree_checks(root: &std::path::Path) -> Result<Vec<CheckResult>, String> {
    let files = source::discover(root).map_err(|error| error.to_string())?;
    let mut results = static_checks(&files);
    results.push(musts::check_tree(root, &files)?);
    baseline::Baseline::load(root)?.apply(&mut results);
    Ok(results)
}

/// The checks that read sources only: file length, function length, doc lines, crate attributes.
pub fn static_checks(files: &[SourceFile]) -> Vec<CheckResult> {
    let mut results = vec![
        rules::file_length(files),
        fn_len::function_length(files),
        rules::doc_line(files),
        rules::crate_attributes(files),
    ];
    results.extend(packing::packing(files));
    results
}

fn clippy() -> Result<CheckResult, String> {
    let passed = cmd::status(cmd::cargo(cmd::CLIPPY_ARGS))?;
    Ok(CheckResult::from_command("clippy -D warnings", passed))
}
