//! Fixtures for the rules against packing: a `let` of a tuple of N expressions counts as N
//! lines, no `match` on a bool, no tuple parameter; and the baseline that lists known
//! violations. Each rule fails on a bad sample and passes on a good one.

use super::baseline::Baseline;
use super::source::SourceFile;
use super::{static_checks, CheckResult};

/// The violations of `rule` in one file `src/m.rs` holding `text`, as `path:line name (detail)`.
fn check(rule: &str, text: &str) -> Vec<String> {
    let results = static_checks(&[SourceFile::new("src/m.rs", format!("//! M.\n{text}"))]);
    let result = results.iter().find(|result| result.rule == rule).unwrap();
    result.violations.iter().map(ToString::to_string).collect()
}

const NONE: [&str; 0] = [];

#[test]
fn a_tuple_packing_counts_one_line_per_name() {
    let bad = r#"
fn packed() {
    let (a, b, c) = (1, 2, 3);
    let d = a + b + c;
    let e = d;
    let f = e;
    let g = f;
    let h = g;
    let _i = h;
}
"#;
    assert_eq!(check("fn-length", bad), ["src/m.rs:3 packed (9 lines)"]);
    let good = bad.replace("let (a, b, c) = (1, 2, 3);", "let (a, b, c) = triple();");
    assert_eq!(check("fn-length", &good), NONE);
}

#[test]
fn mut_and_nested_tuple_packings_count_every_name() {
    let body = "    let (mut a, (b, c)) = (1, (2, 3));\n    a += b + c;\n";
    let fixture =
        |filler: usize| format!("fn nested() {{\n{body}{}}}\n", "    a += 1;\n".repeat(filler));
    assert_eq!(check("fn-length", &fixture(4)), NONE);
    assert_eq!(check("fn-length", &fixture(5)), ["src/m.rs:2 nested (9 lines)"]);
    let typed = fixture(5).replace("(1, (2, 3))", "(1, (2, 3)) as (u8, (u8, u8))");
    assert_eq!(check("fn-length", &typed), NONE, "an expression that is no tuple literal");
}

#[test]
fn a_packing_written_one_line_per_name_adds_nothing() {
    let written = "fn spread() {\n    let (a, b) = (\n        1, 2);\n    let _c = a + b;\n}\n";
    let result = &static_checks(&[SourceFile::new("src/m.rs", format!("//! M.\n{written}"))]);
    assert!(result.iter().all(|result| result.passed()));
}

#[test]
fn a_match_on_a_bool_is_caught() {
    let bad = r#"
fn pick(flag: bool) -> u8 {
    let choose = |on: bool| match on { false => 0, _ => 1 };
    match flag {
        true => choose(flag),
        false => 2,
    }
}
"#;
    let fix = "(match on a bool: write if/else)";
    let expected = [format!("src/m.rs:4 pick {fix}"), format!("src/m.rs:5 pick {fix}")];
    assert_eq!(check("bool-match", bad), expected);
}

#[test]
fn the_report_names_the_place_and_the_rule() {
    let text = "//! M.\nfn f(x: bool) { match x { true => (), false => () } }\n";
    let results = static_checks(&[SourceFile::new("src/m.rs", text)]);
    let reported: Vec<String> = results.iter().flat_map(CheckResult::reported).collect();
    assert_eq!(reported, ["src/m.rs:2 f (match on a bool: write if/else) [bool-match]"]);
}

#[test]
fn matches_on_other_values_and_test_code_pass() {
    let good = r#"
fn pick(flag: bool, n: u8, maybe: Option<bool>) -> u8 {
    let by_number = match n { 0 => 1, _ => 2 };
    let nested = match maybe { Some(true) => 3, _ => 4 };
    if flag { by_number } else { nested }
}
#[cfg(test)]
mod tests {
    fn in_test(flag: bool) -> u8 { match flag { true => 1, false => 0 } }
}
"#;
    assert_eq!(check("bool-match", good), NONE);
}

#[test]
fn tuple_parameters_are_caught() {
    let bad = r#"
fn bundle(pair: (u8, String)) {}
fn destructured((a, b): (u8, u8), borrowed: &(u8, u8)) {}
struct S;
impl S {
    fn method(&self, pair: (u8, u8)) {}
}
trait T {
    fn declared(pair: (u8, u8));
}
"#;
    let fix = "(tuple parameter: name the bundle (a struct) or split it)";
    let at = |place: &str| format!("src/m.rs:{place} {fix}");
    let expected = [
        at("3 bundle"),
        at("4 destructured"),
        at("4 destructured"),
        at("7 method"),
        at("10 declared"),
    ];
    assert_eq!(check("tuple-param", bad), expected);
}

#[test]
fn unit_closures_collections_and_trait_impls_pass() {
    let good = r#"
struct S;
fn unit(_: ()) {}
fn pairs(pairs: Vec<(u8, u8)>) -> Vec<u8> {
    pairs.into_iter().map(|(a, b): (u8, u8)| a + b).collect()
}
impl From<(u8, u8)> for S {
    fn from(pair: (u8, u8)) -> Self { S }
}
#[cfg(test)]
fn in_test(pair: (u8, u8)) {}
"#;
    assert_eq!(check("tuple-param", good), NONE);
}

#[test]
fn a_nested_function_in_a_trait_impl_is_checked() {
    let bad = "struct S;\nimpl Default for S {\n    fn default() -> Self {\n        fn inner(pair: (u8, u8)) {}\n        S\n    }\n}\n";
    let expected = ["src/m.rs:5 inner (tuple parameter: name the bundle (a struct) or split it)"];
    assert_eq!(check("tuple-param", bad), expected);
}

/// The checks on a file with a bool match in `f` and another in `g`, after a baseline.
fn with_baseline(baseline: &str) -> Vec<String> {
    let text = "//! M.\nfn f(x: bool) { match x { true => (), false => () } }\nfn g(x: bool) { match x { true => (), false => () } }\n";
    let mut results = static_checks(&[SourceFile::new("src/m.rs", text)]);
    Baseline::parse(baseline).apply(&mut results);
    let remaining = results.last().map(|baseline| baseline.scanned).unwrap_or_default();
    let found = results.iter().flat_map(|result| &result.violations).map(ToString::to_string);
    found.chain([format!("{remaining} remain")]).collect()
}

#[test]
fn the_baseline_hides_listed_violations_only() {
    let listed = "# known\nsrc/m.rs:f:bool-match\nsrc/m.rs:g:bool-match\n";
    assert_eq!(with_baseline(listed), ["2 remain"]);
    let only_f = with_baseline("src/m.rs:f:bool-match\n");
    assert_eq!(only_f, ["src/m.rs:3 g (match on a bool: write if/else)", "1 remain"]);
}

#[test]
fn a_stale_or_unsorted_baseline_fails() {
    let stale = "src/m.rs:f:bool-match\nsrc/m.rs:f:bool-match\nsrc/m.rs:g:bool-match\n";
    let expected = [
        "xtask/compliance-baseline.txt:2 src/m.rs:f:bool-match (no longer occurs: delete the line)",
        "2 remain",
    ];
    assert_eq!(with_baseline(stale), expected);
    let unsorted = with_baseline("src/m.rs:g:bool-match\nsrc/m.rs:f:bool-match\n");
    assert_eq!(
        unsorted,
        ["xtask/compliance-baseline.txt:1 file (not sorted: sort the lines)", "2 remain"]
    );
}
