//! Tests of duration parsing, formatting and the reproduce command.

use super::*;

#[test]
fn plain_seconds_and_units_parse() {
    assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
    assert_eq!(parse_duration(" 10m "), Ok(Duration::from_secs(600)));
    assert_eq!(parse_duration("24h"), Ok(MAX_DURATION));
}

#[test]
fn bad_durations_are_refused_with_a_reason() {
    assert!(parse_duration("").unwrap_err().contains("not a duration"));
    assert!(parse_duration("s").unwrap_err().contains("not a duration"));
    assert!(parse_duration("10d").unwrap_err().contains("unknown unit"));
    assert!(parse_duration("0s").unwrap_err().contains("at least"));
    assert!(parse_duration("25h").unwrap_err().contains("at most 24h"));
    assert!(parse_duration("99999999999999999999h").is_err());
    assert_eq!(parse_duration("18446744073709551615h"), Err("duration overflows".into()));
}

#[test]
fn durations_format_back_to_what_parses() {
    for text in ["45s", "10m", "24h", "90s", "1h"] {
        assert_eq!(format_duration(parse_duration(text).unwrap()), text);
    }
    assert_eq!(format_duration(Duration::from_secs(60)), "1m");
}

#[test]
fn fault_kinds_parse_and_print_back() {
    let all = parse_kinds(DEFAULT_FAULTS).unwrap();
    assert_eq!(all.0.len(), FaultKind::COUNT);
    assert_eq!(
        all.0[..4],
        [FaultKind::Kill, FaultKind::WriteError, FaultKind::Delay, FaultKind::Stall]
    );
    assert_eq!(all.0[4], FaultKind::FailedClose);
    assert_eq!(all.to_string(), DEFAULT_FAULTS);
    assert_eq!(parse_kinds(" stall , kill ").unwrap().0, [FaultKind::Stall, FaultKind::Kill]);
    assert!(parse_kinds("").unwrap().0.is_empty());
    assert!(parse_kinds("kill,fire").unwrap_err().contains("unknown fault `fire`"));
}

#[test]
fn the_defaults_and_the_reproduce_command() {
    let args = Args::parse_from(["ws-soak"]);
    assert_eq!((args.connections, args.duration), (1000, Duration::from_secs(60)));
    assert!(!args.json && args.seed.is_none());
    assert_eq!(args.faults.to_string(), "kill,write_error,delay,stall,failed_close");
    let command = args.reproduce(42);
    assert!(command.starts_with("cargo xtask reliability --connections 1000 --duration 1m"));
    assert!(command.ends_with("--seed 42"));
    let again = Args::parse_from(["ws-soak", "--duration", "10s", "--seed", "7", "--json"]);
    assert_eq!((again.duration.as_secs(), again.seed, again.json), (10, Some(7), true));
}
