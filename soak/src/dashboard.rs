//! The dashboard check: every metric a Grafana dashboard's panels query must be one the code
//! emits. Emitted names are the `"ws_..."` string literals of the crates' sources; queried
//! names are the `ws_...` words of every `expr` in the dashboard JSON.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Suffixes Prometheus adds to a histogram's name.
const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// Every `"ws_<name>"` string literal in `source`.
pub fn emitted_names(source: &str) -> BTreeSet<String> {
    let starts = source.match_indices("\"ws_").map(|(at, _)| at + 1);
    starts.filter_map(|start| literal_at(&source[start..])).collect()
}

fn literal_at(rest: &str) -> Option<String> {
    let end = rest.find(|c: char| !is_name_char(c))?;
    rest[end..].starts_with('"').then(|| rest[..end].to_owned())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

/// Every `ws_...` metric name in the `expr` fields of `dashboard`, at any depth.
pub fn queried_names(dashboard: &Value) -> BTreeSet<String> {
    let mut exprs = Vec::new();
    collect_exprs(dashboard, &mut exprs);
    exprs.iter().flat_map(|expr| names_in_expr(expr)).collect()
}

fn collect_exprs<'a>(value: &'a Value, exprs: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(key, value)| match (key.as_str(), value) {
            ("expr", Value::String(expr)) => exprs.push(expr),
            _ => collect_exprs(value, exprs),
        }),
        Value::Array(items) => items.iter().for_each(|item| collect_exprs(item, exprs)),
        _ => {}
    }
}

/// The `ws_...` words of a PromQL expression.
pub fn names_in_expr(expr: &str) -> Vec<String> {
    let words = expr.split(|c: char| !is_name_char(c) && !c.is_ascii_uppercase());
    words.filter(|word| word.starts_with("ws_")).map(str::to_owned).collect()
}

/// The queried names that no source emits (a histogram's `_bucket`, `_sum` and `_count`
/// series count as its name).
pub fn unknown(queried: &BTreeSet<String>, emitted: &BTreeSet<String>) -> Vec<String> {
    let known = |name: &String| emitted.contains(name) || emitted.contains(base_name(name));
    queried.iter().filter(|name| !known(name)).cloned().collect()
}

fn base_name(name: &str) -> &str {
    HISTOGRAM_SUFFIXES.iter().find_map(|suffix| name.strip_suffix(suffix)).unwrap_or(name)
}

/// Every `.rs` file under `dir`, recursively (unreadable folders are skipped).
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
    entries.flat_map(|entry| rust_files_at(entry.path())).collect()
}

fn rust_files_at(path: PathBuf) -> Vec<PathBuf> {
    match path.extension() {
        _ if path.is_dir() => rust_files(&path),
        Some(extension) if extension == "rs" => vec![path],
        _ => Vec::new(),
    }
}

/// The metric names emitted by the `src/` of every crate under `crates`.
pub fn emitted_by_crates(crates: &Path) -> BTreeSet<String> {
    let sources = rust_files(crates).into_iter().filter(|path| is_source(path));
    let texts = sources.filter_map(|path| std::fs::read_to_string(path).ok());
    texts.flat_map(|text| emitted_names(&text)).collect()
}

fn is_source(path: &Path) -> bool {
    path.components().any(|part| part.as_os_str() == "src")
}

#[cfg(test)]
mod tests;
