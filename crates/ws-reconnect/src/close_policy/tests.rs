//! Unit tests of the close-code table.

use super::{CloseHint, ClosePolicy};

#[test]
fn default_table_matches_the_documented_codes() {
    let policy = ClosePolicy::default();
    let cases = [
        (1000, CloseHint::Reconnect),
        (1001, CloseHint::Reconnect),
        (1008, CloseHint::DoNotReconnect),
        (1011, CloseHint::Reconnect),
        (1012, CloseHint::Reconnect),
        (1013, CloseHint::RetryLater),
        (4000, CloseHint::DoNotReconnect),
        (4499, CloseHint::DoNotReconnect),
        (4500, CloseHint::RetryLater),
        (4999, CloseHint::RetryLater),
    ];
    for (code, hint) in cases {
        assert_eq!(policy.classify(code), hint, "code {code}");
    }
}

#[test]
fn a_new_rule_takes_precedence() {
    let policy = ClosePolicy::default().with_rule(4001..=4001, CloseHint::Reconnect);
    assert_eq!(policy.classify(4001), CloseHint::Reconnect);
    assert_eq!(policy.classify(4002), CloseHint::DoNotReconnect);
    assert_eq!(ClosePolicy::reconnect_always().classify(1008), CloseHint::Reconnect);
}
