//! Reading nextest's JUnit XML report: one `<testcase>` element per test that ran.
//!
//! Why JUnit rather than `--message-format libtest-json`: the JUnit report is a stable
//! nextest feature configured in `.config/nextest.toml`, while libtest-json still needs
//! `NEXTEST_EXPERIMENTAL_LIBTEST_JSON=1` (nextest 0.9.143) and may change shape. The
//! report is read without an XML library: nextest escapes every `<` inside text and
//! attributes, so each literal `<testcase ` opens a test case, and a test case failed when
//! it holds a `<failure`, an `<error` or a retry's failure element.

use super::outcome::{TestOutcome, Verdict};

/// Child elements that mark a test case failed; the retry ones can only appear when a
/// retry was configured, and a retried failure still counts.
const FAILED_MARKS: &[&str] = &["<failure", "<error", "<flakyFailure", "<rerunFailure"];

/// The outcome of every test case in a report.
pub fn parse(xml: &str) -> Vec<TestOutcome> {
    xml.split("<testcase ").skip(1).map(test_case).collect()
}

/// One test case from the text after its `<testcase `, up to the next one.
fn test_case(chunk: &str) -> TestOutcome {
    let start_tag = chunk.split('>').next().unwrap_or_default();
    let name = format!("{} {}", attribute(start_tag, "classname"), attribute(start_tag, "name"));
    let body = if start_tag.ends_with('/') { "" } else { element_body(chunk) };
    TestOutcome::new(name, verdict(body))
}

/// The children of a test case, up to its closing tag.
fn element_body(chunk: &str) -> &str {
    chunk.split("</testcase>").next().unwrap_or_default()
}

fn verdict(body: &str) -> Verdict {
    if FAILED_MARKS.iter().any(|mark| body.contains(mark)) {
        return Verdict::Failed;
    }
    if body.contains("<skipped") {
        return Verdict::Ignored;
    }
    Verdict::Passed
}

/// The unescaped value of attribute `key` in a start tag (the text after the element name,
/// its first attribute included); empty when absent.
fn attribute(start_tag: &str, key: &str) -> String {
    let spaced = format!(" {start_tag}");
    let opening = format!(" {key}=\"");
    let value = spaced.split_once(opening.as_str()).map(|(_, rest)| rest).unwrap_or_default();
    unescape(value.split('"').next().unwrap_or_default())
}

/// XML's five predefined entities, `&amp;` last so that `&amp;lt;` stays `&lt;`.
fn unescape(text: &str) -> String {
    let entities = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'")];
    let replaced = entities.iter().fold(text.to_owned(), |acc, (from, to)| acc.replace(from, to));
    replaced.replace("&amp;", "&")
}
