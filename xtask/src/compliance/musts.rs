//! Every MUST of `docs/protocol.md` is named by a test: each requirement id (`[M6.4]`) of
//! the document appears, brackets included, in the source of at least one test, or is
//! listed with a reason in `docs/protocol-uncovered.txt`.
//!
//! Test sources: Rust files under a `tests/` directory, files of `#[cfg(test)]` modules
//! (a `tests.rs` beside its parent), the text after the first `#[cfg(test)]` of any other
//! Rust file, and every file under a `test/` or `tests/` directory of `clients/` (the
//! browser client's tests name the same ids in their titles).

use super::report::{CheckResult, Violation};
use super::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The protocol document, relative to the workspace root.
pub const PROTOCOL_DOC: &str = "docs/protocol.md";
/// The ids not tested yet, one per line with why; `#` starts a comment.
pub const UNCOVERED_LIST: &str = "docs/protocol-uncovered.txt";
/// What to do about an id no test names.
const FIX: &str = "named by no test: write the id, brackets included, in a test's source \
     (`// [M6.4] ...` in Rust, the test title in JS), or list it with why in \
     docs/protocol-uncovered.txt";

/// The requirement ids of a document, each with the 1-based line where it first appears.
pub fn requirement_ids(doc: &str) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for (index, line) in doc.lines().enumerate() {
        for id in ids_in(line) {
            ids.entry(id).or_insert(index + 1);
        }
    }
    ids
}

/// Every `[M<n>.<n>]` in `text`.
pub fn ids_in(text: &str) -> Vec<String> {
    let starts = text.match_indices("[M").map(|(start, _)| start);
    starts.filter_map(|start| id_at(&text[start..])).collect()
}

/// The id at the start of `text` (which starts with `[M`), if it is well formed.
fn id_at(text: &str) -> Option<String> {
    let end = text.find(']')?;
    let (section, number) = text.get(2..end)?.split_once('.')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    (digits(section) && digits(number)).then(|| text[..=end].to_owned())
}

/// The part of a source that is test code: all of a test file, the text after the first
/// `#[cfg(test)]` of any other.
pub fn test_text(file: &SourceFile) -> &str {
    if file.is_test {
        return &file.text;
    }
    cfg_test_line(&file.text).map_or("", |start| &file.text[start..])
}

/// Where the first line opening with `#[cfg(test)]` starts (not one in a comment).
fn cfg_test_line(text: &str) -> Option<usize> {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let opens_line = |at: &usize| text[line_start(*at)..*at].trim().is_empty();
    text.match_indices("#[cfg(test)]").map(|(at, _)| at).find(opens_line)
}

/// The ids listed in the allow-list: the first word of each line that is not a comment.
pub fn listed_ids(list: &str) -> BTreeSet<String> {
    let entries = list.lines().map(str::trim).filter(|line| !line.starts_with('#'));
    entries.filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect()
}

/// The check itself, on texts: `doc`, the allow-list `uncovered`, and the test sources.
pub fn check(doc: &str, uncovered: &str, tests: &[SourceFile]) -> CheckResult {
    let ids = requirement_ids(doc);
    let named: BTreeSet<String> = tests.iter().flat_map(|file| ids_in(test_text(file))).collect();
    let listed = listed_ids(uncovered);
    let mut violations = untested(&ids, &named, &listed);
    violations.extend(stale_entries(&ids, &named, &listed));
    CheckResult::new("protocol-musts", "protocol MUSTs tested", ids.len(), violations)
}

/// Ids of the document that no test names and the allow-list does not list.
fn untested(
    ids: &BTreeMap<String, usize>,
    named: &BTreeSet<String>,
    listed: &BTreeSet<String>,
) -> Vec<Violation> {
    let missing = ids.iter().filter(|(id, _)| !named.contains(*id) && !listed.contains(*id));
    let doc = Path::new(PROTOCOL_DOC);
    missing.map(|(id, line)| Violation::new(doc, *line, id.as_str(), FIX)).collect()
}

/// Allow-list entries to remove: ids a test now names, and ids the document no longer has.
fn stale_entries(
    ids: &BTreeMap<String, usize>,
    named: &BTreeSet<String>,
    listed: &BTreeSet<String>,
) -> Vec<Violation> {
    let stale = listed.iter().filter_map(|id| stale_reason(id, ids, named).map(|why| (id, why)));
    let list = Path::new(UNCOVERED_LIST);
    stale.map(|(id, why)| Violation::new(list, 0, id.as_str(), why)).collect()
}

fn stale_reason(
    id: &str,
    ids: &BTreeMap<String, usize>,
    named: &BTreeSet<String>,
) -> Option<&'static str> {
    if !ids.contains_key(id) {
        return Some("listed as uncovered but not in docs/protocol.md: remove the line");
    }
    named.contains(id).then_some("listed as uncovered but a test names it: remove the line")
}

/// The check on the workspace at `root`: its Rust sources (`files`) and the browser
/// client's tests.
pub fn check_tree(root: &Path, files: &[SourceFile]) -> Result<CheckResult, String> {
    let doc = read(root, PROTOCOL_DOC)?;
    let uncovered = read(root, UNCOVERED_LIST).unwrap_or_default();
    let mut tests = files.to_vec();
    tests.extend(client_tests(&root.join("clients"), root).map_err(|error| error.to_string())?);
    Ok(check(&doc, &uncovered, &tests))
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(path)).map_err(|error| format!("{path}: {error}"))
}

/// Every file under a `test/` or `tests/` directory below `dir` (none if it is missing),
/// as test sources; `node_modules` is skipped.
fn client_tests(dir: &Path, root: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut found = Vec::new();
    if dir.is_dir() {
        walk(dir, &mut found)?;
    }
    found.retain(|path| is_client_test(path));
    found.iter().map(|path| client_source(path, root)).collect()
}

fn walk(dir: &Path, found: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        visit(entry?.path(), found)?;
    }
    Ok(())
}

/// A directory is walked (but `node_modules`), a file is kept.
fn visit(path: std::path::PathBuf, found: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    if path.ends_with("node_modules") {
        return Ok(());
    }
    if path.is_dir() {
        return walk(&path, found);
    }
    found.push(path);
    Ok(())
}

fn is_client_test(path: &Path) -> bool {
    let mut parts = path.components().map(|part| part.as_os_str().to_string_lossy());
    parts.any(|part| part == "test" || part == "tests")
}

/// A client test file, read whole (text files only: a binary one names nothing).
fn client_source(path: &Path, root: &Path) -> std::io::Result<SourceFile> {
    let text = std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())?;
    let mut file = SourceFile::new(path.strip_prefix(root).unwrap_or(path), text);
    file.is_test = true;
    Ok(file)
}

#[cfg(test)]
mod tests;
