//! Hexadecimal blobs at memory speed: weights arrive as tens of megabytes of hex.

const INVALID: u8 = 0xFF;

const fn decode_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
}

static DECODE: [u8; 256] = decode_table();

/// Why a hex string could not be decoded; offsets are into the digit string.
#[derive(Debug, PartialEq, Eq)]
pub enum HexError {
    OddLength,
    InvalidDigit { offset: usize, byte: u8 },
}

/// Decodes hex digits (no `0x` prefix) into bytes.
pub fn decode(digits: &[u8]) -> Result<Vec<u8>, HexError> {
    if !digits.len().is_multiple_of(2) {
        return Err(HexError::OddLength);
    }
    let mut out = Vec::with_capacity(digits.len() / 2);
    // Decode optimistically and OR the table entries together: a single branch per
    // chunk tells whether any digit was invalid.
    let mut bad = 0u8;
    for pair in digits.chunks_exact(2) {
        let hi = DECODE[pair[0] as usize];
        let lo = DECODE[pair[1] as usize];
        bad |= hi | lo;
        out.push((hi << 4) | (lo & 0x0F));
    }
    if bad & 0xF0 != 0 {
        let offset = digits.iter().position(|&b| DECODE[b as usize] == INVALID).expect("an invalid digit exists");
        return Err(HexError::InvalidDigit { offset, byte: digits[offset] });
    }
    Ok(out)
}

const ENCODE: &[u8; 16] = b"0123456789ABCDEF";

/// Appends the uppercase hex form of `bytes` to `out`, as MLIR prints blobs.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    let mut buf = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        buf.push(ENCODE[(b >> 4) as usize]);
        buf.push(ENCODE[(b & 0x0F) as usize]);
    }
    out.push_str(std::str::from_utf8(&buf).expect("hex digits are ASCII"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut s = String::new();
        encode_into(&bytes, &mut s);
        assert_eq!(decode(s.as_bytes()).unwrap(), bytes);
        assert_eq!(decode(s.to_lowercase().as_bytes()).unwrap(), bytes);
    }

    #[test]
    fn reports_the_first_bad_digit() {
        assert_eq!(decode(b"0A1G"), Err(HexError::InvalidDigit { offset: 3, byte: b'G' }));
        assert_eq!(decode(b"0A1"), Err(HexError::OddLength));
    }
}
