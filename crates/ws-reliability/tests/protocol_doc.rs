//! The worked example of `docs/protocol.md`, byte for byte: every hex dump in § 11 is
//! encoded, decoded and looked up in the document, so the document cannot drift.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;
use tokio_tungstenite::tungstenite::Bytes;
use ws_reliability::protocol::{
    decode, encode, AckConfig, Batch, Data, ErrorNotice, Frame, Hello, Limits, Payload, Resume,
    ResumeToken, SessionId, SessionLostReason, Welcome, DEFAULT_HELLO_TIMEOUT,
    KEEPALIVE_DEAD_AFTER, KEEPALIVE_INTERVAL,
};

const DOC: &str = include_str!("../../../docs/protocol.md");

fn counting_from(start: u8) -> [u8; 16] {
    std::array::from_fn(|index| start + index as u8)
}

fn session() -> SessionId {
    SessionId::from_bytes(counting_from(0x00))
}

fn welcome(resumed: bool, token: u8, last_received: u64) -> Frame {
    let token = ResumeToken::from_bytes(counting_from(token));
    let limits = Limits::default();
    Frame::Welcome(Welcome {
        resumed,
        session: session(),
        token,
        last_received,
        limits,
        batch: false,
    })
}

fn examples() -> Vec<(&'static str, &'static str, Frame)> {
    let resume = Resume {
        session: session(),
        token: ResumeToken::from_bytes(counting_from(0xa0)),
        last_received: 1,
    };
    let text = Payload::Text("hi".into());
    let binary = Payload::Binary(Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef]));
    let pair = vec![text.clone(), Payload::Binary(Bytes::from_static(&[0xde, 0xad]))];
    let batch = Frame::Batch(Batch { first: 301, payloads: pair });
    let notice = ErrorNotice { code: 4001, reason: "unacked limit".into() };
    vec![
        ("hello fresh", "01 00", Frame::Hello(Hello::default())),
        ("hello batch", "01 02", Frame::Hello(Hello { batch: true, ..Hello::default() })),
        ("welcome fresh", "02 00 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af 00 80 80 40 80 08 c0 a9 07", welcome(false, 0xa0, 0)),
        ("data text", "04 01 68 69", Frame::Data(Data { seq: 1, payload: text })),
        ("data binary", "05 ac 02 de ad be ef", Frame::Data(Data { seq: 300, payload: binary })),
        ("batch", "08 ad 02 04 02 68 69 05 02 de ad", batch),
        ("ack", "06 ac 02", Frame::Ack(300)),
        ("hello resume", "01 01 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af 01", Frame::Hello(Hello { resume: Some(resume), auth: Bytes::new(), batch: false })),
        ("welcome resumed", "02 01 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf ac 02 80 80 40 80 08 c0 a9 07", welcome(true, 0xb0, 300)),
        ("session lost", "03 04", Frame::SessionLost(SessionLostReason::TokenReplayed)),
        ("error", "07 0f a1 75 6e 61 63 6b 65 64 20 6c 69 6d 69 74", Frame::Error(notice)),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(" ")
}

fn unhex(text: &str) -> Bytes {
    let bytes = text.split(' ').map(|pair| u8::from_str_radix(pair, 16).unwrap());
    Bytes::from(bytes.collect::<Vec<_>>())
}

#[test]
fn every_example_encodes_to_the_documented_bytes() {
    for (name, dump, frame) in examples() {
        assert_eq!(hex(&encode(&frame)), dump, "{name}");
    }
}

#[test]
fn every_documented_dump_decodes_to_its_frame() {
    for (name, dump, frame) in examples() {
        assert_eq!(decode(unhex(dump)).unwrap(), frame, "{name}");
    }
}

#[test]
fn every_dump_appears_in_the_document_as_its_own_line() {
    let lines: Vec<&str> = DOC.lines().map(str::trim).collect();
    for (name, dump, _) in examples() {
        assert!(lines.contains(&dump), "{name}: `{dump}` missing from docs/protocol.md");
    }
}

#[test]
fn every_close_code_is_documented() {
    for number in [1000, 1001, 1002, 1008, 1009, 1011, 1013, 4000, 4001, 4002, 4003, 4004, 4005] {
        let code = ws_reliability::protocol::CloseCode::from_code(number).unwrap();
        assert_eq!(code.code(), number);
        assert!(DOC.contains(&format!("\n| {number} | ")), "close code {number} missing from § 8");
    }
}

#[test]
fn the_documented_defaults_are_the_code_defaults() {
    let limits = Limits::default();
    assert_eq!(limits.max_payload, 1_048_576);
    assert_eq!(limits.max_unacked, 1024);
    assert_eq!(limits.resume_window, Duration::from_secs(120));
    assert!(DOC.contains("| max_payload | 1 MiB (1 048 576 bytes) | close 1009 |"));
    assert!(DOC.contains("| max_unacked | 1024 DATA frames per direction | close 4001 |"));
    assert!(DOC.contains("| resume window | 2 minutes | SESSION_LOST `02` |"));
    assert_eq!(DEFAULT_HELLO_TIMEOUT, Duration::from_secs(10));
    assert!(DOC.contains("| hello timeout | 10 s | close 4002 |"));
    assert_eq!((KEEPALIVE_INTERVAL.as_secs(), KEEPALIVE_DEAD_AFTER.as_secs()), (15, 45));
    assert!(DOC.contains("a server frame at least every 15 s; a client gives up after 45 s"));
    assert_eq!(AckConfig::default(), AckConfig { every: 256, after: Duration::from_millis(100) });
    assert!(DOC.contains("K = max(1, min(256, ⌊max_unacked / 4⌋)) and T = 100 ms"));
}
