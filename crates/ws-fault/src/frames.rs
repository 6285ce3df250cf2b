//! [`FrameCursor`]: follows one direction of a WebSocket byte stream (the HTTP upgrade,
//! then RFC 6455 § 5.2 frames) just enough to say where a close frame begins.

/// The blank line that ends the HTTP upgrade request or response.
const END_OF_UPGRADE: &[u8; 4] = b"\r\n\r\n";
/// The opcode of a close frame.
const CLOSE_OPCODE: u8 = 0x8;
/// The longest frame header: 2 bytes, an 8-byte length, a 4-byte mask key.
const MAX_HEADER: usize = 14;

/// Where one direction of the stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FrameCursor {
    /// In the HTTP upgrade: how many bytes of the blank line ending it were just seen.
    Upgrade(usize),
    /// In a frame header: the bytes seen so far (`have` of them).
    Header { bytes: [u8; MAX_HEADER], have: usize },
    /// In a frame payload: the bytes left.
    Payload(u64),
}

impl Default for FrameCursor {
    fn default() -> Self {
        FrameCursor::Upgrade(0)
    }
}

impl FrameCursor {
    /// Moves over `data`; returns the offset in `data` where the first close frame that
    /// starts in it begins.
    pub(super) fn advance(&mut self, data: &[u8]) -> Option<usize> {
        let mut offset = 0;
        let mut close = None;
        while offset < data.len() {
            close = close.or_else(|| self.close_starts(data[offset]).then_some(offset));
            offset += self.step(&data[offset..]);
        }
        close
    }

    /// Whether a close frame starts at `byte`: the first byte of a frame, of a close.
    fn close_starts(&self, byte: u8) -> bool {
        self.at_frame_start() && is_close(byte)
    }

    /// Where the first close frame of `data` would begin, without moving.
    pub(super) fn peek(&self, data: &[u8]) -> Option<usize> {
        let mut copy = *self;
        copy.advance(data)
    }

    fn at_frame_start(&self) -> bool {
        matches!(self, FrameCursor::Header { have: 0, .. })
    }

    /// Consumes the start of `data` (never empty); returns how many bytes.
    fn step(&mut self, data: &[u8]) -> usize {
        match *self {
            FrameCursor::Upgrade(matched) => *self = upgrade_byte(matched, data[0]),
            FrameCursor::Header { bytes, have } => *self = header_byte(bytes, have, data[0]),
            FrameCursor::Payload(left) => return self.skip(left, data.len()),
        }
        1
    }

    fn skip(&mut self, left: u64, available: usize) -> usize {
        let skipped = left.min(available as u64);
        *self = payload(left - skipped);
        skipped as usize
    }
}

/// The state after one more byte of the upgrade.
fn upgrade_byte(matched: usize, byte: u8) -> FrameCursor {
    match next_match(matched, byte) {
        done if done == END_OF_UPGRADE.len() => payload(0),
        partial => FrameCursor::Upgrade(partial),
    }
}

/// How many bytes of the blank line are matched after `byte`.
fn next_match(matched: usize, byte: u8) -> usize {
    match byte {
        _ if byte == END_OF_UPGRADE[matched] => matched + 1,
        b'\r' => 1,
        _ => 0,
    }
}

/// The state after one more header byte: still in the header, or in its payload.
fn header_byte(mut bytes: [u8; MAX_HEADER], have: usize, byte: u8) -> FrameCursor {
    bytes[have] = byte;
    let have = have + 1;
    if have >= 2 && have == header_len(&bytes) {
        payload(payload_len(&bytes))
    } else {
        FrameCursor::Header { bytes, have }
    }
}

/// A payload of `left` bytes; none left is the start of the next frame.
fn payload(left: u64) -> FrameCursor {
    match left {
        0 => FrameCursor::Header { bytes: [0; MAX_HEADER], have: 0 },
        left => FrameCursor::Payload(left),
    }
}

/// The header's length, from its second byte (extended length and mask key).
fn header_len(bytes: &[u8; MAX_HEADER]) -> usize {
    let extended = match bytes[1] & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    2 + extended + if bytes[1] & 0x80 == 0 { 0 } else { 4 }
}

/// The payload length a complete header announces.
fn payload_len(bytes: &[u8; MAX_HEADER]) -> u64 {
    match bytes[1] & 0x7F {
        126 => u64::from(u16::from_be_bytes([bytes[2], bytes[3]])),
        127 => u64::from_be_bytes([
            bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
        ]),
        short => u64::from(short),
    }
}

/// Whether a frame whose first byte is `byte` is a close frame.
fn is_close(byte: u8) -> bool {
    byte & 0x0F == CLOSE_OPCODE
}

#[cfg(test)]
mod tests;
