//! Tests of the command line: defaults, the workload, durations, the hidden subcommand.

use super::*;

fn parse(line: &[&str]) -> Result<Args, clap::Error> {
    Args::try_parse_from(std::iter::once("ws-bench").chain(line.iter().copied()))
}

#[test]
fn defaults_are_the_issue_workload() {
    let args = parse(&[]).unwrap();
    assert_eq!((args.clients, args.idle, args.json), (100, 10_000, false));
    assert_eq!(args.workload(), Workload::Messages(DEFAULT_MESSAGES));
    assert!(args.internal.is_none());
}

#[test]
fn flags_set_the_workload() {
    let args = parse(&["--clients", "1000", "--messages", "5000", "--idle", "1000"]).unwrap();
    assert_eq!((args.clients, args.idle), (1000, 1000));
    assert_eq!(args.workload(), Workload::Messages(5000));
    let args = parse(&["--duration", "2m", "--json"]).unwrap();
    assert_eq!(args.workload(), Workload::Duration(Duration::from_secs(120)));
    assert!(args.json);
    assert!(!args.upload && parse(&["--upload"]).unwrap().upload);
}

#[test]
fn messages_and_duration_exclude_each_other() {
    assert!(parse(&["--messages", "10", "--duration", "5s"]).is_err());
}

#[test]
fn durations_parse() {
    assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration(" 30s "), Ok(Duration::from_secs(30)));
    assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
    assert!(parse_duration("0").unwrap_err().contains("not be 0"));
    assert!(parse_duration("soon").unwrap_err().contains("not a duration"));
    assert!(parse_duration("5h").is_err());
}

#[test]
fn serve_is_a_hidden_subcommand() {
    let args = parse(&["serve", "--kind", "reliable"]).unwrap();
    let reliable = Some(Internal::Serve { kind: ServerKind::Reliable, capacity: None });
    assert!(matches!(args.internal, Some(Internal::Serve { .. })));
    assert_eq!(format!("{:?}", args.internal), format!("{reliable:?}"));
    let sized = parse(&["serve", "--kind", "raw", "--capacity=19000"]).unwrap();
    assert!(matches!(sized.internal, Some(Internal::Serve { capacity: Some(19_000), .. })));
    assert!(parse(&["serve", "--kind", "other"]).is_err());
}

#[test]
fn the_new_axes_parse_and_exclude_the_others() {
    let fanout = parse(&["--fanout", "--sessions", "500"]).unwrap();
    assert!(fanout.fanout && fanout.sessions == 500);
    assert_eq!(parse(&[]).unwrap().sessions, 10_000);
    assert_eq!(parse(&["--connections", "19000"]).unwrap().connections, Some(19_000));
    assert!(parse(&["--fanout", "--latency"]).is_err());
    assert!(parse(&["--connections", "5", "--fanout"]).is_err());
    let clients = ["clients", "--kind", "raw", "--addr", "127.0.0.1:1", "--count", "3"];
    let Some(Internal::Clients(crowd)) = parse(&clients).unwrap().internal else {
        panic!("not the clients subcommand");
    };
    assert_eq!((crowd.count, crowd.first), (3, 0));
}

#[test]
fn workloads_describe_themselves() {
    assert_eq!(Workload::Messages(7).to_string(), "7 messages each");
    assert!(Workload::Duration(Duration::from_secs(3)).to_string().contains("3s"));
}

#[test]
fn rounds_default_to_one_and_stay_within_twenty() {
    assert_eq!(parse(&[]).unwrap().rounds, 1);
    assert_eq!(parse(&["--rounds", "5"]).unwrap().rounds, 5);
    assert!(parse(&["--rounds", "0"]).is_err());
    assert!(parse(&["--rounds", "21"]).is_err());
}

#[test]
fn a_given_raw_maximum_is_a_positive_rate_for_the_latency_axis() {
    let given = parse(&["--latency", "--raw-max", "7500000"]).unwrap();
    assert_eq!(given.raw_max, Some(7_500_000.0));
    assert_eq!(parse(&["--latency"]).unwrap().raw_max, None, "measured by default");
    assert!(parse(&["--raw-max", "7500000"]).is_err(), "only with --latency");
    for bad in ["0", "-5", "inf", "fast"] {
        assert!(parse(&["--latency", "--raw-max", bad]).is_err(), "{bad}");
    }
}
