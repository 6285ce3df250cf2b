//! Tests of the dashboard check's name extraction and matching.

use super::*;
use serde_json::json;

#[test]
fn literals_are_found_and_lookalikes_are_not() {
    let source = r#"counter!("ws_a_total", "kind" => k); const B: &str = "ws_b_seconds";
        let not = "ws_c is prose"; let d = "xws_d"; "#;
    let names: Vec<_> = emitted_names(source).into_iter().collect();
    assert_eq!(names, ["ws_a_total", "ws_b_seconds"]);
}

#[test]
fn exprs_are_collected_at_any_depth() {
    let dashboard = json!({"panels": [
        {"targets": [{"expr": "sum(rate(ws_a_total[5m])) by (kind)"}]},
        {"panels": [{"targets": [{"expr": "histogram_quantile(0.99, sum(rate(ws_b_seconds_bucket[5m])) by (le))"}]}]},
        {"title": "ws_not_a_query", "expr": 3}
    ]});
    let names: Vec<_> = queried_names(&dashboard).into_iter().collect();
    assert_eq!(names, ["ws_a_total", "ws_b_seconds_bucket"]);
}

#[test]
fn unknown_names_are_reported_and_histogram_series_accepted() {
    let emitted: BTreeSet<String> = ["ws_a_total", "ws_b_seconds"].map(String::from).into();
    let queried: BTreeSet<String> =
        ["ws_a_total", "ws_b_seconds_count", "ws_c_total"].map(String::from).into();
    assert_eq!(unknown(&queried, &emitted), ["ws_c_total"]);
    assert_eq!(names_in_expr("ws_x{a=\"ws_y\"} + ws_z"), ["ws_x", "ws_y", "ws_z"]);
}

#[test]
fn the_crates_sources_are_scanned() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let emitted = emitted_by_crates(&crates);
    assert!(emitted.contains("ws_conn_ghosts_detected_total"));
    assert!(emitted.contains("ws_fault_injected_total"));
    assert!(rust_files(Path::new("/nonexistent")).is_empty());
}
