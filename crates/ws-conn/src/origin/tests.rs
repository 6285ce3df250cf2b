//! Tests of the origin policy: no origin, the same host, an allow-list, and `null`.

use super::*;

fn same_host(origin: &str, host: &str) -> bool {
    OriginPolicy::SameHost.check(Some(origin), Some(host)).is_ok()
}

#[test]
fn a_request_without_origin_is_admitted_by_every_policy() {
    for policy in [OriginPolicy::SameHost, OriginPolicy::allow_only(["https://a.example"])] {
        assert_eq!(policy.check(None, Some("b.example")), Ok(()));
    }
}

#[test]
fn same_host_admits_the_requests_own_host_and_nothing_else() {
    assert!(same_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
    assert!(same_host("HTTPS://Example.com", "example.com"));
    assert!(same_host("https://example.com:443", "example.com"));
    assert!(same_host("http://example.com", "example.com:80"));
    assert!(!same_host("http://127.0.0.1:9090", "127.0.0.1:8080"));
    assert!(!same_host("https://evil.example", "example.com"));
    assert!(!same_host("https://example.com.evil.example", "example.com"));
    assert!(!same_host("null", "example.com"));
    assert!(!same_host("", "example.com"));
    assert!(OriginPolicy::SameHost.check(Some("http://example.com"), None).is_err());
}

#[test]
fn an_allow_list_admits_its_origins_only() {
    let policy = OriginPolicy::allow_only(["https://app.example.com", "http://localhost:3000/"]);
    assert!(policy.check(Some("https://APP.example.com:443"), Some("ws.example.com")).is_ok());
    assert!(policy.check(Some("http://localhost:3000"), Some("x")).is_ok());
    assert!(policy.check(Some("http://app.example.com"), Some("x")).is_err());
    let refused = policy.check(Some("https://ws.example.com"), Some("ws.example.com"));
    assert_eq!(refused, Err(OriginRefused { origin: "https://ws.example.com".into() }));
}

#[test]
fn any_admits_every_origin() {
    assert!(OriginPolicy::Any.check(Some("null"), None).is_ok());
}
