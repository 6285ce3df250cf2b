//! Fixtures proving the MUST-id check fails when an id is named by no test, and passes
//! when every id is named or listed; and the real tree passing it. The fixture ids are of
//! sections 90 and above, which the document does not have, so they name no real MUST.

use super::{check, ids_in, listed_ids, requirement_ids, test_text};
use crate::compliance::source::SourceFile;

const DOC: &str = "# Doc\n\nA client MUST do a [M91.1].\nA server MUST do b\n[M92.3]; see [M91.1].\nNot an id: [M], [Mx.1], [M92.], [M92.3.\n";

fn test_file(path: &str, text: &str) -> SourceFile {
    SourceFile::new(path, text)
}

fn messages(doc: &str, uncovered: &str, tests: &[SourceFile]) -> Vec<String> {
    let result = check(doc, uncovered, tests);
    result.violations.iter().map(ToString::to_string).collect()
}

#[test]
fn ids_are_found_with_their_first_line_and_malformed_ones_ignored() {
    let ids = requirement_ids(DOC);
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), [("[M91.1]".into(), 3), ("[M92.3]".into(), 5)]);
    assert_eq!(ids_in("x [M90.12] y [M93.4]"), ["[M90.12]", "[M93.4]"]);
}

#[test]
fn every_id_named_by_a_test_passes() {
    let tests = [
        test_file("crates/x/tests/a.rs", "// [M91.1] does a\n#[test]\nfn a() {}\n"),
        test_file("crates/x/src/b.rs", "//! B.\n#[cfg(test)]\nmod tests {\n    // [M92.3]\n}\n"),
    ];
    assert_eq!(messages(DOC, "", &tests), Vec::<String>::new());
}

#[test]
fn an_id_named_by_no_test_fails_with_the_convention_in_its_message() {
    let tests = [test_file("crates/x/tests/a.rs", "// [M91.1]\n")];
    let found = messages(DOC, "", &tests);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("docs/protocol.md:5 [M92.3] (named by no test: write the id"));
    assert!(found[0].contains("brackets included, in a test's source"), "{}", found[0]);
}

#[test]
fn an_id_in_library_code_or_in_the_document_is_not_a_test() {
    let library = test_file(
        "crates/x/src/lib.rs",
        "//! L.\n/// Enforces [M91.1] and [M92.3].\npub fn f() {}\n#[cfg(test)]\nmod tests;\n",
    );
    assert_eq!(test_text(&library), "#[cfg(test)]\nmod tests;\n");
    assert_eq!(messages(DOC, "", &[library]).len(), 2);
}

#[test]
fn a_listed_id_passes_and_the_list_must_shrink() {
    let tests = [test_file("crates/x/tests/a.rs", "// [M91.1]\n")];
    let list = "# why each is untested\n[M92.3] needs a browser\n";
    assert_eq!(listed_ids(list).into_iter().collect::<Vec<_>>(), ["[M92.3]"]);
    assert_eq!(messages(DOC, list, &tests), Vec::<String>::new());
    let stale = "[M91.1] was untested\n[M92.3] needs a browser\n[M99.9] gone\n";
    let found = messages(DOC, stale, &tests);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("[M91.1] (listed as uncovered but a test names it"));
    assert!(found[1].contains("[M99.9] (listed as uncovered but not in docs/protocol.md"));
}

#[test]
fn client_tests_count_when_the_file_is_a_test() {
    let mut js =
        SourceFile::new("clients/js/test/resume.test.js", "it(\"[M92.3] b\", () => {});\n");
    js.is_test = true;
    assert_eq!(messages(DOC, "[M91.1] later\n", &[js]), Vec::<String>::new());
}

/// The real tree: every MUST of docs/protocol.md is tested or listed as uncovered.
#[test]
fn every_protocol_must_is_tested_or_listed() {
    let root = crate::cmd::workspace_root();
    let files = crate::compliance::source::discover(&root).unwrap();
    let result = super::check_tree(&root, &files).unwrap();
    assert!(result.scanned >= 40, "too few ids found: {}", result.scanned);
    let found: Vec<String> = result.violations.iter().map(ToString::to_string).collect();
    assert_eq!(found, Vec::<String>::new());
}
