//! Per-address keys, the bounded table on the paused clock, networks and trusted proxies.

use super::*;
use crate::Refusal;
use std::net::Ipv6Addr;
use std::sync::Arc;
use std::time::Duration;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn table(connections: usize, burst: u32, per_second: u32, addresses: usize) -> Arc<AddressTable> {
    let limits = AddressLimits {
        max_connections: connections,
        accept_burst: burst,
        accept_per_second: per_second,
        max_addresses: addresses,
        ..AddressLimits::default()
    };
    Arc::new(AddressTable::new(&limits))
}

#[test]
fn ipv6_addresses_are_grouped_by_their_64() {
    assert_eq!(AddressKey::of(ip("2001:db8:1:2::1")), AddressKey::of(ip("2001:db8:1:2:ffff::9")));
    assert_ne!(AddressKey::of(ip("2001:db8:1:2::1")), AddressKey::of(ip("2001:db8:1:3::1")));
    assert_ne!(AddressKey::of(ip("10.0.0.1")), AddressKey::of(ip("10.0.0.2")));
}

#[test]
fn a_mapped_ipv4_counts_as_its_ipv4() {
    let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 7).to_ipv6_mapped());
    assert_eq!(AddressKey::of(mapped), AddressKey::of(ip("192.0.2.7")));
    assert_eq!(AddressKey::of(ip("::ffff:192.0.2.7")), AddressKey::V4(Ipv4Addr::new(192, 0, 2, 7)));
    // An IPv4-compatible (not mapped) address is IPv6.
    assert_ne!(AddressKey::of(IpAddr::V6(Ipv6Addr::LOCALHOST)), AddressKey::of(ip("0.0.0.1")));
}

#[tokio::test(start_paused = true)]
async fn the_rate_of_one_address_refills_on_the_tokio_clock() {
    let table = table(100, 4, 2, 10);
    let slots: Vec<_> = (0..10).filter_map(|_| table.admit(ip("10.0.0.1")).ok()).collect();
    assert_eq!(slots.len(), 4, "the burst");
    assert_eq!(table.admit(ip("10.0.0.1")).unwrap_err(), Refusal::AddressRate);
    assert!(table.admit(ip("10.0.0.2")).is_ok(), "another address has its own bucket");
    tokio::time::advance(Duration::from_millis(500)).await;
    let refilled: Vec<_> = (0..10).filter_map(|_| table.admit(ip("10.0.0.1")).ok()).collect();
    assert_eq!(refilled.len(), 1, "two a second");
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!((0..10).filter_map(|_| table.admit(ip("10.0.0.1")).ok()).count(), 4);
}

#[tokio::test(start_paused = true)]
async fn connections_of_one_address_are_capped_until_one_is_given_back() {
    let table = table(2, 100, 100, 10);
    let first = table.admit(ip("2001:db8::1")).unwrap();
    let _second = table.admit(ip("2001:db8::2")).unwrap();
    assert_eq!(table.admit(ip("2001:db8::3")).unwrap_err(), Refusal::AddressLimit);
    assert!(table.admit(ip("2001:db8:0:1::1")).is_ok(), "another /64");
    drop(first);
    let _third = table.admit(ip("2001:db8::3")).unwrap();
    assert_eq!(table.admit(ip("2001:db8::4")).unwrap_err(), Refusal::AddressLimit);
}

#[tokio::test(start_paused = true)]
async fn an_address_is_forgotten_when_idle_with_a_full_bucket() {
    let table = table(10, 2, 1, 10);
    drop(table.admit(ip("10.0.0.1")).unwrap());
    assert_eq!(table.len(), 1, "its bucket is refilling");
    assert_eq!(table.prune(), 0);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(table.prune(), 1);
    assert_eq!(table.len(), 0);
    let slot = table.admit(ip("10.0.0.1")).unwrap();
    tokio::time::advance(Duration::from_secs(2)).await;
    drop(slot);
    assert_eq!(table.len(), 0, "given back with a full bucket: dropped at once");
}

#[tokio::test(start_paused = true)]
async fn a_full_table_evicts_idle_addresses_and_refuses_when_none_is() {
    let table = table(10, 1, 10, 2);
    let held = table.admit(ip("10.0.0.1")).unwrap();
    drop(table.admit(ip("10.0.0.2")).unwrap());
    assert_eq!(table.admit(ip("10.0.0.3")).unwrap_err(), Refusal::AddressTableFull);
    assert_eq!(table.len(), 2, "a refused address is not tracked");
    let again = table.admit(ip("10.0.0.4"));
    assert_eq!(again.unwrap_err(), Refusal::AddressTableFull, "no search before 100 ms");
    tokio::time::advance(Duration::from_millis(100)).await;
    let third = table.admit(ip("10.0.0.3")).unwrap();
    assert_eq!(table.len(), 2, "10.0.0.2 evicted, 10.0.0.1 kept: it holds a connection");
    drop(held);
    drop(third);
    tokio::time::advance(Duration::from_millis(100)).await;
    assert!(table.admit(ip("10.0.0.5")).is_ok(), "10.0.0.1 was dropped with a full bucket");
    assert_eq!(table.prune(), 1, "10.0.0.3's bucket is full again, 10.0.0.5's is not");
    assert_eq!(table.len(), 1);
}

#[test]
fn networks_parse_and_contain() {
    let net: IpNetwork = "10.1.0.0/16".parse().unwrap();
    assert!(net.contains(ip("10.1.200.3")));
    assert!(net.contains(ip("::ffff:10.1.0.9")), "a mapped IPv4 address");
    assert!(!net.contains(ip("10.2.0.1")));
    assert!(!net.contains(ip("::1")));
    let v6: IpNetwork = " fd00::/8 ".parse().unwrap();
    assert!(v6.contains(ip("fd12:3456::1")) && !v6.contains(ip("fe80::1")));
    let host: IpNetwork = "::1".parse().unwrap();
    assert_eq!(host.to_string(), "::1/128");
    assert!("0.0.0.0/0".parse::<IpNetwork>().unwrap().contains(ip("8.8.8.8")));
}

#[test]
fn malformed_networks_and_header_names_are_typed_errors() {
    let error = |text: &str| text.parse::<IpNetwork>().unwrap_err();
    let field = |text: &str| match error(text) {
        ProxyConfigError::Network { field, .. } => field,
        other => panic!("{other}"),
    };
    assert_eq!(field("10.0.0/8"), "address");
    assert_eq!(field("10.0.0.0/33"), "prefix");
    assert_eq!(field("::/129"), "prefix");
    assert_eq!(field("10.0.0.0/x"), "prefix");
    let bad = TrustedProxies::new(["10.0.0.0/8", "proxy.local"], ForwardedHeader::default());
    assert_eq!(
        bad.unwrap_err().to_string(),
        "trusted proxy network \"proxy.local\": invalid address"
    );
    assert!(matches!(
        ForwardedHeader::named("X Real IP"),
        Err(ProxyConfigError::HeaderName { .. })
    ));
    assert!(ForwardedHeader::named("").is_err());
    assert_eq!(ForwardedHeader::named("X-Real-IP").unwrap().name(), "x-real-ip");
}

fn proxies(header: ForwardedHeader) -> TrustedProxies {
    TrustedProxies::new(["10.0.0.0/8", "fd00::/8"], header).unwrap()
}

#[test]
fn behind_trusted_proxies_the_client_is_the_rightmost_untrusted_hop() {
    let proxies = proxies(ForwardedHeader::XForwardedFor);
    let peer = ip("10.0.0.1");
    assert_eq!(proxies.client(peer, ["203.0.113.9"]), ip("203.0.113.9"));
    let spoofed = ["6.6.6.6, 203.0.113.9, 10.0.0.7"];
    assert_eq!(
        proxies.client(peer, spoofed),
        ip("203.0.113.9"),
        "the client's own entry is not believed"
    );
    assert_eq!(
        proxies.client(peer, ["1.1.1.1", "203.0.113.9, 10.0.0.7"]),
        ip("203.0.113.9"),
        "every line"
    );
    assert_eq!(proxies.client(peer, ["[2001:db8::1]:4711"]), ip("2001:db8::1"));
    assert_eq!(proxies.client(peer, ["203.0.113.9:80"]), ip("203.0.113.9"));
    assert_eq!(proxies.client(peer, ["::ffff:203.0.113.9"]), ip("203.0.113.9"));
    assert_eq!(proxies.client(peer, Vec::<&str>::new()), peer, "no header: the proxy itself");
    assert_eq!(proxies.client(peer, ["10.0.0.8, 10.0.0.9"]), ip("10.0.0.8"), "all trusted");
    assert_eq!(proxies.client(peer, ["203.0.113.9, garbage, 10.0.0.9"]), ip("10.0.0.9"));
}

#[test]
fn from_an_untrusted_peer_the_header_is_ignored() {
    let proxies = proxies(ForwardedHeader::XForwardedFor);
    assert_eq!(proxies.client(ip("198.51.100.4"), ["203.0.113.9"]), ip("198.51.100.4"));
    assert_eq!(proxies.client(ip("::ffff:198.51.100.4"), ["10.0.0.1"]), ip("198.51.100.4"));
    let none = TrustedProxies::default();
    assert!(none.networks().is_empty());
    assert_eq!(
        none.client(ip("10.0.0.1"), ["203.0.113.9"]),
        ip("10.0.0.1"),
        "the default trusts none"
    );
}

#[test]
fn the_forwarded_header_is_read_by_its_for_parameters() {
    let proxies = proxies(ForwardedHeader::Forwarded);
    assert_eq!(proxies.header().name(), "forwarded");
    let value = r#"for=6.6.6.6, For="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.3"#;
    assert_eq!(proxies.client(ip("fd00::1"), [value]), ip("2001:db8:cafe::17"));
    assert_eq!(proxies.client(ip("10.0.0.1"), ["proto=https;for=192.0.2.60"]), ip("192.0.2.60"));
    assert_eq!(proxies.client(ip("10.0.0.1"), ["for=unknown"]), ip("10.0.0.1"), "obfuscated");
}

#[test]
fn limits_and_proxies_print_for_a_startup_line() {
    let text = AddressLimits::default().to_string();
    assert_eq!(text, "64 connections, burst 40, 20/s per address (IPv6 /64), 65536 addresses, trusted proxies: none");
    let mut limits = AddressLimits::unlimited();
    limits.proxies =
        TrustedProxies::new(["10.0.0.0/8", "::1"], ForwardedHeader::Forwarded).unwrap();
    let text = limits.to_string();
    assert!(text.starts_with("unlimited connections, burst unlimited, unlimited/s"), "{text}");
    assert!(text.ends_with("trusted proxies: 10.0.0.0/8, ::1/128 (forwarded)"), "{text}");
}
