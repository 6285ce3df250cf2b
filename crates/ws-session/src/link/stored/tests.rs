//! Unit tests of [`Stored`]: small payloads are copied in and come back unchanged, larger
//! ones stay shared.

use super::*;

/// What a message counts beside a shared payload: the entry, on a 64-bit target.
const ENTRY: usize = std::mem::size_of::<Stored>() + 32;

fn binary(len: usize) -> Payload {
    Payload::Binary(Bytes::from((0..len).map(|byte| byte as u8).collect::<Vec<_>>()))
}

#[test]
fn a_small_payload_is_copied_and_comes_back_the_same() {
    for payload in [binary(0), binary(64), binary(INLINE_MAX), Payload::Text("héllo".into())] {
        let stored = Stored::from(payload.clone());
        assert!(matches!(stored, Stored::Small(_)), "{payload:?}");
        assert_eq!(stored.as_bytes(), payload.as_bytes());
        assert_eq!(stored.message_size(), ENTRY, "inline: the entry holds it");
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
    assert_eq!(stored.message_size(), ENTRY + INLINE_MAX + 1);
    assert_eq!(stored.into_payload(), payload);
}

#[test]
fn text_keeps_its_kind() {
    let stored = Stored::from(Payload::Text("hi".into()));
    assert_eq!(stored.into_message(), Message::text("hi"));
}

#[test]
#[cfg(target_pointer_width = "64")]
fn an_entry_counts_152_bytes() {
    assert_eq!(ENTRY, 152);
}

#[test]
fn a_message_counts_its_entry_and_a_shared_payload_for_the_byte_caps() {
    use ws_batch::MessageSize;
    let small = Stored::from(Payload::Binary(vec![1; 10].into()));
    let large = Stored::from(Payload::Binary(vec![1; 1000].into()));
    assert_eq!(small.message_size(), ENTRY, "about 150 bytes per entry, as documented");
    assert_eq!(large.message_size(), ENTRY + 1000);
}

/// A budget checks a payload before it is copied in: its size then is what the outbox
/// counts once it holds it, at the inline limit and past it.
#[test]
fn the_size_of_a_payload_is_the_size_it_has_once_stored() {
    let sizes = [0, 64, INLINE_MAX, INLINE_MAX + 1, 4096];
    for payload in sizes.map(binary).into_iter().chain([Payload::Text("héllo".into())]) {
        let expected = Stored::from(payload.clone()).message_size();
        assert_eq!(Stored::size_of_payload(&payload), expected, "{} bytes", payload.len());
    }
}

#[test]
fn a_stored_message_is_no_larger_than_its_aligned_small_copy() {
    assert_eq!(std::mem::size_of::<Small>(), 120);
    assert_eq!(std::mem::size_of::<Stored>(), 120, "the variant lives in text's niche");
    assert_eq!(std::mem::align_of::<Stored>(), 8);
}
