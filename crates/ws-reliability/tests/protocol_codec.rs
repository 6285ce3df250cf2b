//! Property tests of the wsr.v1 codec: every frame round-trips, decoding arbitrary or
//! corrupted bytes never panics, DATA framing stays within 16 bytes, and each malformed
//! shape gets its typed error and close code ([M2.2] [M2.5] [M3.1] [M3.2] [M3.6]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_reliability::protocol::*;

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn id() -> impl Strategy<Value = [u8; ID_LEN]> {
    any::<[u8; ID_LEN]>()
}

fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        ".{0,40}".prop_map(|text: String| Payload::Text(text.into())),
        bytes(64).prop_map(Payload::Binary),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(max_payload, max_unacked, ms)| Limits {
        max_payload,
        max_unacked,
        resume_window: Duration::from_millis(ms),
    })
}

fn resume() -> impl Strategy<Value = Resume> {
    (id(), id(), any::<u64>()).prop_map(|(session, token, last_received)| Resume {
        session: SessionId::from_bytes(session),
        token: ResumeToken::from_bytes(token),
        last_received,
    })
}

fn welcome() -> impl Strategy<Value = Welcome> {
    (any::<(bool, bool)>(), id(), id(), any::<u64>(), limits()).prop_map(
        |((resumed, batch), session, token, last_received, limits)| Welcome {
            resumed,
            session: SessionId::from_bytes(session),
            token: ResumeToken::from_bytes(token),
            last_received,
            limits,
            batch,
        },
    )
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        (proptest::option::of(resume()), bytes(32), any::<bool>())
            .prop_map(|(resume, auth, batch)| Frame::Hello(Hello { resume, auth, batch })),
        welcome().prop_map(Frame::Welcome),
        any::<u8>().prop_map(|code| Frame::SessionLost(SessionLostReason::from_code(code))),
        (1..=u64::MAX, payload()).prop_map(|(seq, payload)| Frame::Data(Data { seq, payload })),
        any::<u64>().prop_map(Frame::Ack),
        (1..=u64::MAX / 2, proptest::collection::vec(payload(), 1..8))
            .prop_map(|(first, payloads)| Frame::Batch(Batch { first, payloads })),
        (any::<u16>(), ".{0,40}").prop_map(|(code, reason): (u16, String)| {
            Frame::Error(ErrorNotice { code, reason: reason.into() })
        }),
    ]
}

proptest! {
    #[test]
    fn every_frame_round_trips(frame in frame()) {
        let encoded = encode(&frame);
        prop_assert_eq!(decode(encoded.clone()), Ok(frame.clone()));
        let message = to_message(&frame);
        prop_assert_eq!(message, Message::Binary(encoded));
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(input in bytes(128)) {
        if let Ok(frame) = decode(input.clone()) {
            prop_assert_eq!(encode(&frame), input);
        }
    }

    #[test]
    fn decode_never_panics_on_corrupted_frames(
        frame in frame(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let mut corrupted = encode(&frame).to_vec();
        for (position, mask) in flips {
            let index = position % corrupted.len();
            corrupted[index] ^= mask;
        }
        corrupted.truncate(cut % (corrupted.len() + 1));
        let _ = decode(Bytes::from(corrupted));
    }

    #[test]
    fn data_framing_is_at_most_16_bytes(seq in 1..=u64::MAX, payload in payload()) {
        let message = data_message(seq, &payload);
        let overhead = message.len() - payload.len();
        prop_assert!(overhead <= 16);
        prop_assert_eq!(overhead, data_overhead(seq));
        prop_assert!(overhead <= MAX_DATA_OVERHEAD);
        let limits = Limits::default();
        let decoded = from_message(&message, &limits).unwrap();
        prop_assert_eq!(decoded, Some(Frame::Data(Data { seq, payload })));
    }
}

#[test]
fn data_framing_at_every_varint_boundary() {
    let mut seqs: Vec<u64> = (1..10).map(|bytes| 1u64 << (7 * bytes)).collect();
    seqs.extend(seqs.clone().iter().map(|seq| seq - 1));
    seqs.extend([1, u64::MAX]);
    for seq in seqs {
        let overhead = encode(&Frame::Data(Data { seq, payload: Payload::Binary(Bytes::new()) }));
        assert!(overhead.len() <= 16, "seq {seq}: {} bytes", overhead.len());
        assert_eq!(overhead.len(), data_overhead(seq));
    }
    assert_eq!(data_overhead(u64::MAX), 11);
}

fn decoded(raw: &[u8]) -> Result<Frame, ProtocolError> {
    decode(Bytes::copy_from_slice(raw))
}

#[test]
fn malformed_shapes_get_typed_errors() {
    assert_eq!(decoded(&[]), Err(ProtocolError::Empty));
    assert_eq!(decoded(&[0x00]), Err(ProtocolError::UnknownFrameType(0)));
    assert_eq!(decoded(&[0x09]), Err(ProtocolError::UnknownFrameType(9)));
    assert_eq!(decoded(&[0x08]), Err(ProtocolError::Truncated));
    assert_eq!(decoded(&[0x01]), Err(ProtocolError::Truncated));
    assert_eq!(decoded(&[0x01, 0x04]), Err(ProtocolError::UnknownHelloMode(4)));
    assert_eq!(decoded(&[0x01, 0x02]), Ok(Frame::Hello(Hello { batch: true, ..Hello::default() })));
    assert_eq!(decoded(&[0x01, 0x01, 0xaa]), Err(ProtocolError::Truncated));
    assert_eq!(decoded(&[0x03]), Err(ProtocolError::Truncated));
    assert_eq!(decoded(&[0x03, 0x01, 0x00]), Err(ProtocolError::TrailingBytes { extra: 1 }));
    assert_eq!(decoded(&[0x04, 0x00, b'a']), Err(ProtocolError::ZeroSequence));
    assert_eq!(decoded(&[0x04, 0x01, 0xff]), Err(ProtocolError::InvalidUtf8));
    assert_eq!(decoded(&[0x05, 0x80]), Err(ProtocolError::Truncated));
    assert_eq!(decoded(&[0x06, 0x80, 0x00]), Err(ProtocolError::VarintNotMinimal));
    assert_eq!(decoded(&[0x06, 0x01, 0x01]), Err(ProtocolError::TrailingBytes { extra: 1 }));
    assert_eq!(decoded(&[0x07, 0x0f]), Err(ProtocolError::Truncated));
    assert_eq!(decoded(&[0x07, 0x0f, 0xa1, 0xc3]), Err(ProtocolError::InvalidUtf8));
}

#[test]
fn welcome_refuses_unknown_flags_and_trailing_bytes() {
    let mut raw = vec![0x02, 0x04];
    raw.extend([0; 32]);
    raw.extend([0, 0, 0, 0]);
    assert_eq!(decoded(&raw), Err(ProtocolError::UnknownFlags(4)));
    raw[1] = 0x01;
    let welcome = |raw: &[u8]| match decoded(raw) {
        Ok(Frame::Welcome(welcome)) => (welcome.resumed, welcome.batch),
        other => panic!("{other:?}"),
    };
    assert_eq!(welcome(&raw), (true, false));
    raw[1] = 0x03;
    assert!(matches!(
        decoded(&raw),
        Ok(Frame::Welcome(Welcome { resumed: true, batch: true, .. }))
    ));
    raw.push(0);
    assert_eq!(decoded(&raw), Err(ProtocolError::TrailingBytes { extra: 1 }));
}

#[test]
fn errors_name_their_close_code_and_metric_kind() {
    let too_large = ProtocolError::TooLarge { size: 10, limit: 5 };
    assert_eq!(too_large.close_code(), CloseCode::TooBig);
    assert_eq!(too_large.kind(), "too_large");
    assert_eq!(too_large.to_string(), "message of 10 bytes exceeds the limit of 5");
    let gap = ProtocolError::Gap { expected: 2, received: 5 };
    assert_eq!((gap.close_code(), gap.kind()), (CloseCode::ProtocolError, "sequence"));
    let cases = [
        (ProtocolError::Empty, "length"),
        (ProtocolError::TrailingBytes { extra: 1 }, "length"),
        (ProtocolError::VarintOverflow, "varint"),
        (ProtocolError::TextMessage, "text"),
        (ProtocolError::UnknownFrameType(9), "type"),
        (ProtocolError::UnknownHelloMode(9), "type"),
        (ProtocolError::ZeroSequence, "sequence"),
    ];
    for (error, kind) in cases {
        assert_eq!((error.kind(), error.close_code()), (kind, CloseCode::ProtocolError));
    }
}

#[test]
fn messages_map_to_frames_or_errors() {
    let limits = Limits { max_payload: 4, ..Limits::default() };
    assert_eq!(from_message(&Message::Ping(Bytes::new()), &limits), Ok(None));
    assert_eq!(from_message(&Message::text("x"), &limits), Err(ProtocolError::TextMessage));
    let big = data_message(1, &Payload::Binary(Bytes::from(vec![0; 15])));
    let refused = from_message(&big, &limits).unwrap_err();
    assert_eq!(refused, ProtocolError::TooLarge { size: 17, limit: 15 });
    assert_eq!(refused.close_code().code(), 1009);
    let fits = data_message(1, &Payload::Binary(Bytes::from(vec![0; 4])));
    assert!(from_message(&fits, &limits).unwrap().is_some());
}

#[test]
fn every_refused_message_is_counted_by_kind() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let limits = Limits { max_payload: 1, ..Limits::default() };
    metrics::with_local_recorder(&recorder, || {
        let _ = from_message(&Message::text("x"), &limits);
        let _ = from_message(&data_message(1, &Payload::Binary(vec![0; 20].into())), &limits);
        let _ = from_message(&Message::binary(vec![0x09]), &limits);
        let _ = decode(Bytes::new());
    });
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let count = |kind: &str| {
        let found = snapshot.iter().find(|(key, ..)| {
            let key = key.key();
            key.name() == "ws_protocol_decode_errors_total"
                && key.labels().any(|l| l.value() == kind)
        });
        match found {
            Some((_, _, _, DebugValue::Counter(value))) => *value,
            _ => 0,
        }
    };
    assert_eq!((count("text"), count("too_large"), count("type"), count("length")), (1, 1, 1, 1));
}

#[test]
fn close_codes_have_their_documented_numbers() {
    let table = [
        (CloseCode::Normal, 1000),
        (CloseCode::GoingAway, 1001),
        (CloseCode::ProtocolError, 1002),
        (CloseCode::Policy, 1008),
        (CloseCode::TooBig, 1009),
        (CloseCode::Internal, 1011),
        (CloseCode::TryAgainLater, 1013),
        (CloseCode::SessionLost, 4000),
        (CloseCode::UnackedLimit, 4001),
        (CloseCode::HelloTimeout, 4002),
        (CloseCode::SessionReplaced, 4003),
        (CloseCode::AppProtocolError, 4004),
        (CloseCode::AppTooBig, 4005),
    ];
    for (code, number) in table {
        assert_eq!(code.code(), number);
        assert_eq!(CloseCode::from_code(number), Some(code));
        let Message::Close(Some(frame)) = code.message("why") else { panic!("not a close") };
        assert_eq!((u16::from(frame.code), frame.reason.as_str()), (number, "why"));
    }
    assert_eq!(CloseCode::from_code(4999), None);
    assert_eq!(CloseCode::AppProtocolError.canonical(), CloseCode::ProtocolError);
    assert_eq!(CloseCode::AppTooBig.canonical(), CloseCode::TooBig);
    assert_eq!(CloseCode::SessionLost.canonical(), CloseCode::SessionLost);
}

#[test]
fn payloads_convert_to_and_from_plain_messages() {
    let text = Payload::Text("hi".into());
    assert_eq!((text.len(), text.is_empty()), (2, false));
    assert_eq!(Payload::from_message(text.clone().into_message()), Some(text));
    let binary = Payload::Binary(Bytes::new());
    assert!(binary.is_empty());
    assert_eq!(Payload::from_message(binary.clone().into_message()), Some(binary));
    assert_eq!(Payload::from_message(Message::Pong(Bytes::new())), None);
}

// [M3.5] an unknown SESSION_LOST reason decodes as Other, lost like any other
#[test]
fn frame_types_and_reasons_round_trip_their_bytes() {
    for byte in 1..=7 {
        assert_eq!(FrameType::from_byte(byte).map(|kind| kind as u8), Some(byte));
    }
    assert_eq!(FrameType::from_byte(0), None);
    for code in 0..=255 {
        assert_eq!(SessionLostReason::from_code(code).code(), code);
    }
    assert_eq!(SessionLostReason::from_code(2), SessionLostReason::Expired);
    assert_eq!(SessionLostReason::from_code(200), SessionLostReason::Other(200));
}

#[test]
fn receive_takes_messages_by_value_and_hands_back_control_messages() {
    let limits = Limits::default();
    let payload = Payload::Binary(Bytes::from_static(b"abc"));
    let received = receive(data_message(5, &payload), &limits).unwrap();
    assert_eq!(received, Received::Frame(Frame::Data(Data { seq: 5, payload })));
    let close = CloseCode::Normal.message("bye");
    assert_eq!(receive(close.clone(), &limits), Ok(Received::Control(close)));
    assert_eq!(receive(Message::text("x"), &limits), Err(ProtocolError::TextMessage));
    let big = data_message(1, &Payload::Binary(vec![0; 2 << 20].into()));
    assert!(matches!(receive(big, &limits), Err(ProtocolError::TooLarge { .. })));
}
