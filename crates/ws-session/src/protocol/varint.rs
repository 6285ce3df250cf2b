//! Unsigned LEB128 varints: 7 bits per byte, least significant group first, the high bit
//! set on every byte but the last. wsr.v1 accepts only the minimal encoding.

use super::error::ProtocolError;

/// The longest varint: 10 bytes hold 64 bits.
pub const MAX_VARINT_LEN: usize = 10;

/// Appends `value` to `out` as a minimal varint.
pub fn put_varint(out: &mut Vec<u8>, value: u64) {
    let len = varint_len(value);
    let group = |index: usize| (value >> (7 * index)) as u8 & 0x7f;
    let more = |index: usize| if index + 1 < len { 0x80 } else { 0 };
    out.extend((0..len).map(|index| group(index) | more(index)));
}

/// How many bytes `value` takes as a varint (1 to 10).
pub fn varint_len(value: u64) -> usize {
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Reads a varint from the start of `bytes`: the value and how many bytes it used.
pub fn read_varint(bytes: &[u8]) -> Result<(u64, usize), ProtocolError> {
    let window = &bytes[..bytes.len().min(MAX_VARINT_LEN)];
    let Some(last) = window.iter().position(|byte| byte & 0x80 == 0) else {
        return Err(unterminated(bytes.len()));
    };
    let groups = &window[..=last];
    check_final_group(groups)?;
    Ok((groups.iter().rev().fold(0, |value, byte| value << 7 | u64::from(byte & 0x7f)), last + 1))
}

/// A varint without a final byte: cut short, or longer than any 64-bit value.
fn unterminated(available: usize) -> ProtocolError {
    if available < MAX_VARINT_LEN {
        ProtocolError::Truncated
    } else {
        ProtocolError::VarintOverflow
    }
}

/// The final byte must not be a redundant zero, and the 10th byte may hold only one bit.
fn check_final_group(groups: &[u8]) -> Result<(), ProtocolError> {
    match (groups.len(), groups.last()) {
        (MAX_VARINT_LEN, Some(2..)) => Err(ProtocolError::VarintOverflow),
        (2.., Some(0)) => Err(ProtocolError::VarintNotMinimal),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
