//! The rules that read a file as a whole: length, the opening `//!` line, crate attributes.

use super::report::{CheckResult, Violation};
use super::source::SourceFile;
use super::MAX_FILE_LINES;

/// The inner attributes every crate root must carry, as `(level, lint)`.
pub const REQUIRED_ATTRIBUTES: &[(&str, &str)] =
    &[("forbid", "unsafe_code"), ("deny", "missing_docs")];

/// The fix suggested for a file without an opening `//!` line.
const DOC_LINE_FIX: &str = "start the file with a `//!` line saying what it holds";

/// Every `.rs` file holds at most [`MAX_FILE_LINES`] lines, test files included.
pub fn file_length(files: &[SourceFile]) -> CheckResult {
    let violations = files.iter().filter_map(|file| {
        let lines = file.text.lines().count();
        let fix = format!("{lines} lines; move tests to a sibling tests.rs or split the module");
        (lines > MAX_FILE_LINES)
            .then(|| Violation::new(&file.path, MAX_FILE_LINES + 1, "file", fix))
    });
    CheckResult::new("file-length", "file length <= 300 lines", files.len(), violations.collect())
}

/// Every `.rs` file opens with a `//!` line saying what it holds.
pub fn doc_line(files: &[SourceFile]) -> CheckResult {
    let undocumented = files.iter().filter(|file| !file.text.trim_start().starts_with("//!"));
    let violations = undocumented.map(|file| Violation::new(&file.path, 1, "file", DOC_LINE_FIX));
    CheckResult::new("doc-line", "opens with a //! line", files.len(), violations.collect())
}

/// Every crate root carries `#![forbid(unsafe_code)]` and `#![deny(missing_docs)]`.
pub fn crate_attributes(files: &[SourceFile]) -> CheckResult {
    let roots: Vec<_> = files.iter().filter(|file| file.is_crate_root).collect();
    let violations = roots.iter().flat_map(|file| missing_attributes(file));
    CheckResult::new("crate-attributes", "crate root attributes", roots.len(), violations.collect())
}

fn missing_attributes(file: &SourceFile) -> Vec<Violation> {
    let present = inner_lint_attributes(&file.text);
    let is_present = |(level, lint): &&(&str, &str)| present.contains(level, lint);
    let missing = REQUIRED_ATTRIBUTES.iter().filter(|pair| !is_present(pair));
    let name = |(level, lint): &(&str, &str)| format!("#![{level}({lint})]");
    missing
        .map(|pair| Violation::new(&file.path, 1, name(pair), "missing at the crate root"))
        .collect()
}

/// The `(level, lint)` pairs of the crate-level lint attributes of a source, as owned strings
/// compared against [`REQUIRED_ATTRIBUTES`].
fn inner_lint_attributes(text: &str) -> LintSet {
    let Ok(syntax) = syn::parse_file(text) else { return LintSet::default() };
    let inner = syntax.attrs.iter().filter(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)));
    LintSet(inner.flat_map(lints_of).collect())
}

/// Lint attributes found at a crate root.
#[derive(Default)]
struct LintSet(Vec<(String, String)>);

impl LintSet {
    fn contains(&self, wanted_level: &str, wanted_lint: &str) -> bool {
        self.0.iter().any(|(level, lint)| level == wanted_level && lint == wanted_lint)
    }
}

/// The lints named by a `forbid` or `deny` attribute; one that does not parse names none,
/// so a malformed attribute is reported as missing.
fn lints_of(attr: &syn::Attribute) -> Vec<(String, String)> {
    let level = attr.path().get_ident().map(ToString::to_string).unwrap_or_default();
    let is_lint_level = matches!(level.as_str(), "forbid" | "deny");
    let lints = if is_lint_level { nested_idents(attr) } else { Vec::new() };
    lints.into_iter().map(|lint| (level.clone(), lint)).collect()
}

/// The identifiers listed in an attribute, such as `unsafe_code` in `forbid(unsafe_code)`;
/// none when the list does not parse.
fn nested_idents(attr: &syn::Attribute) -> Vec<String> {
    let mut idents = Vec::new();
    let parsed = attr.parse_nested_meta(|meta| {
        idents.extend(meta.path.get_ident().map(ToString::to_string));
        Ok(())
    });
    parsed.map(|()| idents).unwrap_or_default()
}
