//! The Grafana dashboard `docs/dashboards/ws-reliability.json` is valid JSON and queries
//! only metrics the crates emit (their `"ws_..."` string literals).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use ws_soak::dashboard::{emitted_by_crates, queried_names, unknown};

#[test]
fn every_metric_the_dashboard_queries_is_emitted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("docs/dashboards/ws-reliability.json"))
        .expect("docs/dashboards/ws-reliability.json is readable");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert!(dashboard["panels"].as_array().is_some_and(|panels| !panels.is_empty()));
    let (queried, emitted) = (queried_names(&dashboard), emitted_by_crates(&root.join("crates")));
    assert!(queried.len() >= 40, "the dashboard covers the crates: {queried:?}");
    let missing = unknown(&queried, &emitted);
    assert!(missing.is_empty(), "queried but emitted by no crate: {missing:?}");
}

#[test]
fn every_metric_the_runbook_names_is_emitted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("docs/runbook.md")).expect("docs/runbook.md");
    let named = ws_soak::dashboard::names_in_expr(&text).into_iter().collect();
    let missing = unknown(&named, &emitted_by_crates(&root.join("crates")));
    assert!(missing.is_empty(), "named in the runbook but emitted by no crate: {missing:?}");
}
