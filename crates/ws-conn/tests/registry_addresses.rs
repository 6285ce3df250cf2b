//! Per-address admission in the registry: refusals, and the address's connection given
//! back by a dropped admission, a closed connection and a force-close; their metrics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{config, conn, Close};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;
use ws_conn::{metrics as names, CloseCode, CloseFrame, ConnError, Refusal, Registry};

fn reason(result: Result<impl std::fmt::Debug, ConnError>) -> Refusal {
    match result.unwrap_err() {
        ConnError::Refused { reason, close_code } => {
            assert_eq!(close_code, CloseCode::TRY_AGAIN_LATER);
            reason
        }
        other => panic!("expected a refusal, got {other}"),
    }
}

fn registry(connections: usize, burst: u32) -> Registry {
    let mut config = config();
    config.limits.per_address.max_connections = connections;
    config.limits.per_address.accept_burst = burst;
    config.limits.per_address.accept_per_second = 1;
    Registry::new(config)
}

const FLOODER: [u8; 4] = [192, 0, 2, 1];

#[tokio::test(start_paused = true)]
async fn an_address_over_its_limits_is_refused_and_others_are_not() {
    let registry = registry(2, 3);
    let flooder = IpAddr::from(FLOODER);
    let held = [registry.admit_from(flooder).unwrap(), registry.admit_from(flooder).unwrap()];
    assert_eq!(reason(registry.admit_from(flooder)), Refusal::AddressLimit);
    assert!(registry.admit_from("192.0.2.2".parse().unwrap()).is_ok());
    drop(held);
    drop(registry.admit_from(flooder).unwrap());
    assert_eq!(reason(registry.admit_from(flooder)), Refusal::AddressRate, "burst of 3 spent");
    assert!(registry.admit().is_ok(), "admit() applies no per-address limit");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(registry.admit_from(flooder).is_ok());
    assert_eq!(
        error_text(&registry, flooder),
        "connection refused (address_rate), close code 1013"
    );
}

fn error_text(registry: &Registry, addr: IpAddr) -> String {
    registry.admit_from(addr).unwrap_err().to_string()
}

#[tokio::test(start_paused = true)]
async fn a_registered_connection_holds_its_address_until_it_leaves() {
    let registry = registry(1, 100);
    let flooder = IpAddr::from(FLOODER);
    let first = registry.admit_from(flooder).unwrap().register(conn(Close::Succeeds)).id();
    assert_eq!(reason(registry.admit_from(flooder)), Refusal::AddressLimit);
    registry.close(first, CloseFrame::normal()).await.unwrap();
    let second = registry.admit_from(flooder).unwrap().register(conn(Close::Succeeds)).id();
    assert_eq!(reason(registry.admit_from(flooder)), Refusal::AddressLimit);
    registry.force_close(second).unwrap();
    assert!(registry.admit_from(flooder).is_ok(), "a force-close gives it back too");
    assert_eq!(registry.addresses_tracked(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_global_refusal_gives_the_address_back() {
    let mut config = config();
    config.limits.max_connections = 1;
    config.limits.per_address.max_connections = 1;
    let registry = Registry::new(config);
    let _other = registry.admit_from("192.0.2.9".parse().unwrap()).unwrap();
    assert_eq!(reason(registry.admit_from(IpAddr::from(FLOODER))), Refusal::Limit);
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(registry.prune_addresses(), 1, "the refused address holds nothing");
    assert_eq!(registry.addresses_tracked(), 1);
}

/// `name{labels}` → value of every metric `recorder` saw.
fn metrics_of(recorder: &DebuggingRecorder) -> HashMap<String, f64> {
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let flat = snapshot.into_iter().map(|(key, _, _, value)| {
        let key = key.key();
        let labels: Vec<_> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        let value = match value {
            DebugValue::Counter(count) => count as f64,
            DebugValue::Gauge(gauge) => gauge.into_inner(),
            DebugValue::Histogram(samples) => samples.len() as f64,
        };
        (format!("{}{{{}}}", key.name(), labels.join(",")), value)
    });
    flat.collect()
}

#[test]
fn address_refusals_and_tracked_addresses_are_counted() {
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let mut runtime = tokio::runtime::Builder::new_current_thread();
        runtime.enable_time().start_paused(true);
        runtime.build().unwrap().block_on(async {
            let mut config = config();
            config.limits.per_address.max_connections = 1;
            config.limits.per_address.max_addresses = 2;
            let registry = Registry::new(config);
            let _one = registry.admit_from("192.0.2.1".parse().unwrap()).unwrap();
            let _two = registry.admit_from("2001:db8::1".parse().unwrap()).unwrap();
            assert!(registry.admit_from("192.0.2.1".parse().unwrap()).is_err());
            assert!(registry.admit_from("192.0.2.3".parse().unwrap()).is_err());
        });
    });
    let seen = metrics_of(&recorder);
    assert_eq!(seen[&format!("{}{{reason=address_limit}}", names::REFUSED)], 1.0);
    assert_eq!(seen[&format!("{}{{reason=address_table_full}}", names::REFUSED)], 1.0);
    assert_eq!(seen[&format!("{}{{}}", names::ADDRESSES_TRACKED)], 2.0);
}
