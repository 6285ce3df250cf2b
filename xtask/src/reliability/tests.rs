//! Tests of the flags passed to `ws-soak` and of the exit-status mapping.

use super::*;

#[test]
fn only_given_flags_are_passed_on() {
    assert!(Options::default().soak_args().is_empty());
    let options =
        Options { rate: Some(500), json: true, fault_rate: Some(0.01), ..Options::default() };
    assert_eq!(options.soak_args(), ["--rate", "500", "--fault-rate", "0.01", "--json"]);
}

#[test]
fn the_ci_variant_is_short_and_seeded() {
    let args = Options::short().soak_args();
    assert_eq!(args, ["--connections", "100", "--duration", "10s", "--seed", "1"]);
}

#[test]
fn exit_statuses_map_to_outcomes() {
    assert_eq!(verdict(Some(0)), Ok(true));
    assert_eq!(verdict(Some(1)), Ok(false));
    assert!(verdict(Some(2)).unwrap_err().contains("could not run"));
    assert!(verdict(None).is_err());
    assert!(binary(&target()).ends_with("release/ws-soak"));
}

#[test]
fn fault_kinds_are_passed_on() {
    let options = Options { faults: Some("kill,stall".into()), ..Options::default() };
    assert_eq!(options.soak_args(), ["--faults", "kill,stall"]);
}
