//! Tests of the compliance checks: fixtures prove each check can fail, and the real tree passes.

use super::source::{discover, module_dir, SourceFile, TestFiles};
use super::{static_checks, tree_checks, CheckResult};
use crate::cmd::workspace_root;
use std::path::Path;

const CLEAN_ROOT: &str = "//! A clean crate.\n#![forbid(unsafe_code)]\n#![deny(missing_docs)]\n\n/// Adds.\npub fn add(a: u8, b: u8) -> u8 {\n    a + b\n}\n";

fn function_with_body_lines(name: &str, lines: usize) -> String {
    let body: String = (0..lines).map(|index| format!("    let _v{index} = {index};\n")).collect();
    format!("//! Fixture.\n\n/// A function.\npub fn {name}() {{\n{body}}}\n")
}

fn root(path: &str, text: &str) -> SourceFile {
    let mut file = SourceFile::new(path, text);
    file.is_crate_root = true;
    file
}

fn violations_of(files: &[SourceFile]) -> Vec<String> {
    let results = static_checks(files);
    results.iter().flat_map(|result| &result.violations).map(ToString::to_string).collect()
}

#[test]
fn clean_code_passes() {
    let files = [
        root("crates/clean/src/lib.rs", CLEAN_ROOT),
        SourceFile::new("crates/clean/src/eight.rs", function_with_body_lines("eight", 8)),
    ];
    assert_eq!(violations_of(&files), Vec::<String>::new());
}

#[test]
fn a_nine_line_function_is_caught() {
    let files = [SourceFile::new("crates/x/src/nine.rs", function_with_body_lines("nine", 9))];
    assert_eq!(violations_of(&files), ["crates/x/src/nine.rs:4 nine (9 lines)"]);
}

#[test]
fn blank_and_comment_lines_do_not_count() {
    let text = "//! F.\nfn f() {\n    let a = 1;\n\n    // comment\n    /* block\n       comment */\n    let b = a;\n}\n";
    let result = &static_checks(&[SourceFile::new("src/f.rs", text)])[1];
    assert!(result.passed());
    assert_eq!(result.scanned, 1);
}

#[test]
fn closures_and_methods_count_toward_their_function() {
    let closure: String =
        (0..9).map(|index| format!("        let _v{index} = {index};\n")).collect();
    let text = format!("//! F.\nstruct S;\nimpl S {{\n    fn method(&self) {{\n        let run = || {{\n{closure}        }};\n    }}\n}}\n");
    assert_eq!(
        violations_of(&[SourceFile::new("src/s.rs", text)]),
        ["src/s.rs:4 method (11 lines)"]
    );
}

#[test]
fn test_code_is_exempt_from_function_length() {
    let long = function_with_body_lines("long", 20);
    let in_test_mod =
        format!("//! F.\n#[cfg(test)]\nmod tests {{\n{}}}\n", long.replace("//! Fixture.", ""));
    let files = [
        SourceFile::new("crates/x/tests/e2e.rs", long.clone()),
        SourceFile::new("src/a.rs", in_test_mod),
    ];
    assert_eq!(violations_of(&files), Vec::<String>::new());
}

#[test]
fn a_301_line_file_is_caught() {
    let text = format!("//! Long.\n{}", "// filler\n".repeat(300));
    let violations = violations_of(&[SourceFile::new("crates/x/tests/long.rs", text)]);
    assert_eq!(violations.len(), 1);
    assert!(violations[0].starts_with("crates/x/tests/long.rs:301 file (301 lines"));
}

#[test]
fn a_missing_attribute_is_caught() {
    let text = CLEAN_ROOT.replace("#![deny(missing_docs)]\n", "#![deny(rust_2018_idioms)]\n");
    let violations = violations_of(&[root("crates/x/src/lib.rs", &text)]);
    assert_eq!(
        violations,
        ["crates/x/src/lib.rs:1 #![deny(missing_docs)] (missing at the crate root)"]
    );
}

#[test]
fn a_missing_doc_line_is_caught() {
    let violations = violations_of(&[SourceFile::new("src/a.rs", "fn a() {}\n")]);
    assert_eq!(
        violations,
        ["src/a.rs:1 file (start the file with a `//!` line saying what it holds)"]
    );
}

#[test]
fn cfg_test_module_files_are_test_code() {
    let parent =
        SourceFile::new("crates/x/src/queue.rs", "//! Q.\n#[cfg(test)]\nmod tests;\nmod real;\n");
    let mut files = [
        parent,
        SourceFile::new("crates/x/src/queue/tests.rs", ""),
        SourceFile::new("crates/x/src/queue/real.rs", ""),
    ];
    TestFiles::mark(&mut files);
    assert_eq!(files.iter().map(|file| file.is_test).collect::<Vec<_>>(), [false, true, false]);
    assert_eq!(module_dir(Path::new("src/lib.rs")), Path::new("src"));
}

#[test]
fn command_results_fail_when_the_command_fails() {
    assert!(CheckResult::from_command("clippy", true).passed());
    assert!(!CheckResult::from_command("clippy", false).passed());
}

/// Compliance as a test: `cargo test` fails when the real tree breaks a rule (violations
/// listed in the baseline aside) or the baseline lists one that is gone.
#[test]
fn the_workspace_is_compliant() {
    let root = workspace_root();
    assert!(discover(&root).unwrap().len() > 10, "too few sources found");
    let results = tree_checks(&root).unwrap();
    let found: Vec<String> = results.iter().flat_map(CheckResult::reported).collect();
    assert_eq!(found, Vec::<String>::new());
}
