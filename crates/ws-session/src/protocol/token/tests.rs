//! Unit tests of resume tokens and session ids.

use super::*;

#[test]
fn generated_tokens_are_128_bits_and_distinct() {
    let tokens: Vec<_> = (0..64).map(|_| ResumeToken::generate().unwrap()).collect();
    for (index, token) in tokens.iter().enumerate() {
        assert_eq!(token.as_bytes().len() * 8, 128);
        assert!(tokens[index + 1..].iter().all(|other| other != token));
    }
}

#[test]
fn verify_accepts_only_the_same_bytes() {
    let token = ResumeToken::generate().unwrap();
    let copy = ResumeToken::from_bytes(*token.as_bytes());
    assert!(token.verify(&copy));
    assert_eq!(token, copy);
    for position in 0..ID_LEN {
        let mut forged = *token.as_bytes();
        forged[position] ^= 0x01;
        assert!(!token.verify(&ResumeToken::from_bytes(forged)));
    }
}

// [M7.2] tokens are compared over every byte
#[test]
fn constant_time_eq_compares_every_byte() {
    let zeros = [0; ID_LEN];
    let mut last_differs = zeros;
    last_differs[ID_LEN - 1] = 0x80;
    assert!(constant_time_eq(&zeros, &zeros));
    assert!(!constant_time_eq(&zeros, &last_differs));
}

#[test]
fn debug_never_prints_the_token() {
    let token = ResumeToken::from_bytes([0xab; ID_LEN]);
    let printed = format!("{token:?}");
    assert!(!printed.to_lowercase().contains("ab"), "{printed}");
}

#[test]
fn session_ids_print_as_hex() {
    let mut bytes = [0; ID_LEN];
    bytes[0] = 0x0f;
    bytes[ID_LEN - 1] = 0xa0;
    let session = SessionId::from_bytes(bytes);
    assert_eq!(session.to_string(), "0f0000000000000000000000000000a0");
    assert_eq!(format!("{session:?}"), "SessionId(0f0000000000000000000000000000a0)");
    assert_eq!(session.as_bytes(), &bytes);
    assert_ne!(SessionId::generate().unwrap(), SessionId::generate().unwrap());
}
