//! Wire protocol v1 (`wsr.v1`): frames, their byte encoding, and the receiver-side rules.
//!
//! The full specification, precise enough to write a browser client from, is
//! `docs/protocol.md`. In short: a client offers the subprotocol `wsr.v1`; every frame is one
//! binary WebSocket message opening with a frame type byte; DATA frames carry a sequence
//! number (a varint, at most [`MAX_DATA_OVERHEAD`] bytes of framing in all) and the
//! receiver acknowledges cumulatively in batches; a client resumes a lost connection with
//! its session id, a single-use token and the last sequence number it received.
//!
//! This module is the codec and the per-direction bookkeeping; it opens no socket.
//!
//! ```
//! use ws_session::protocol::{decode, encode, Data, Frame, InOrder, Payload, Delivery};
//!
//! let frame = Frame::Data(Data { seq: 1, payload: Payload::Text("hi".into()) });
//! let bytes = encode(&frame);
//! assert_eq!(&bytes[..], &[0x04, 0x01, b'h', b'i']);
//! assert_eq!(decode(bytes)?, frame);
//!
//! let mut receiver = InOrder::new();
//! assert_eq!(receiver.accept(1)?, Delivery::Deliver);
//! assert_eq!(receiver.accept(1)?, Delivery::Duplicate);
//! assert!(receiver.accept(3).is_err()); // a gap: close with 1002
//! # Ok::<(), ws_session::protocol::ProtocolError>(())
//! ```
//!
//! # Metrics
//!
//! | name | kind | labels | meaning |
//! |------|------|--------|---------|
//! | `ws_protocol_decode_errors_total` | counter | `kind` (`length`, `type`, `varint`, `text`, `sequence`, `too_large`) | malformed frames received |
//! | `ws_protocol_duplicates_dropped_total` | counter | | duplicate DATA frames dropped by [`InOrder`] |
//! | `ws_protocol_sequence_gaps_total` | counter | | DATA frames refused because sequence numbers were skipped |
//! | `ws_protocol_resumes_total` | counter | `outcome` (`accepted`, `expired`, `token_mismatch`, `token_replayed`) | resume attempts decided by [`ResumeGuard`] |

mod ack;
mod batch;
mod close;
mod codec;
mod dedup;
mod error;
mod frame;
mod limits;
mod message;
mod negotiate;
mod reader;
mod resume;
#[cfg(feature = "simulation")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulation")))]
pub mod simulation;
mod token;
mod varint;

pub use ack::{AckBatcher, AckConfig, DEFAULT_ACK_AFTER, DEFAULT_ACK_EVERY};
pub use batch::{batch_header_len, entry_len, put_entry, start_batch, Batch};
pub use close::CloseCode;
pub use codec::{data_overhead, decode, encode, encode_data, encode_into};
pub use dedup::{Delivery, InOrder};
pub use error::ProtocolError;
pub use frame::{
    Data, ErrorNotice, Frame, FrameType, Hello, Payload, Resume, SessionLostReason, Welcome,
};
pub use limits::{
    Limits, DEFAULT_BUFFER_SIZE, DEFAULT_CLIENT_READ_BUFFER_SIZE, DEFAULT_HELLO_TIMEOUT,
    DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_UNACKED, DEFAULT_RESUME_WINDOW,
    DEFAULT_SERVER_READ_BUFFER_SIZE, KEEPALIVE_DEAD_AFTER, KEEPALIVE_INTERVAL,
};
pub use message::{data_message, from_message, receive, to_message, Received};
pub use negotiate::{
    accept, client_request, connect, negotiate, offered, selected, Mode, SUBPROTOCOL,
};
pub use resume::{GuardDigests, Presented, ResumeGuard, REMEMBERED_TOKENS};
pub use token::{ResumeToken, SessionId, TokenDigest, ID_LEN};
pub use varint::{put_varint, read_varint, varint_len, MAX_VARINT_LEN};

/// The most framing bytes a DATA frame adds to its payload: one type byte and a sequence
/// number of at most [`MAX_VARINT_LEN`] bytes (11; the protocol promises at most 16).
pub const MAX_DATA_OVERHEAD: usize = 1 + MAX_VARINT_LEN;
