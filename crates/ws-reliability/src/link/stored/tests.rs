//! Unit tests of [`Stored`]: small payloads are copied in and come back unchanged, larger
//! ones stay shared.

use super::*;

fn binary(len: usize) -> Payload {
    Payload::Binary(Bytes::from((0..len).map(|byte| byte as u8).collect::<Vec<_>>()))
}

#[test]
fn a_small_payload_is_copied_and_comes_back_the_same() {
    for payload in [binary(0), binary(64), binary(INLINE_MAX), Payload::Text("héllo".into())] {
        let stored = Stored::from(payload.clone());
        assert!(matches!(stored, Stored::Small(_)), "{payload:?}");
        assert_eq!(stored.as_bytes(), payload.as_bytes());
        assert_eq!(stored.message_size(), payload.len());
        assert_eq!(stored.clone().into_payload(), payload);
        assert_eq!(stored.into_message(), payload.into_message());
    }
}

#[test]
fn a_small_copy_holds_no_reference_to_the_application_buffer() {
    let payload = binary(64);
    let Payload::Binary(original) = &payload else { unreachable!() };
    let Stored::Small(small) = Stored::from(payload.clone()) else { panic!("not copied") };
    assert_ne!(small.bytes().as_ptr(), original.as_ptr());
    assert!(!small.is_text());
}

#[test]
fn a_larger_payload_stays_shared() {
    let payload = binary(INLINE_MAX + 1);
    let stored = Stored::from(payload.clone());
    assert_eq!(stored, Stored::Shared(payload.clone()));
    assert_eq!(stored.message_size(), INLINE_MAX + 1);
    assert_eq!(stored.into_payload(), payload);
}

#[test]
fn text_keeps_its_kind() {
    let stored = Stored::from(Payload::Text("hi".into()));
    assert_eq!(stored.into_message(), Message::text("hi"));
}
