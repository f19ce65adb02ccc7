//! Decoding of literal tokens: strings, numbers, names.

use pest::iterators::Pair;

use super::Rule;
use crate::types::{ElementType, Signedness};

/// `"a\"b\0A"` → `a"b\n`. MLIR escapes are `\\`, `\"`, `\n`, `\t` and two hex digits.
pub fn unescape_string(quoted: &str) -> String {
    let body = &quoted[1..quoted.len() - 1];
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let next = bytes[i + 1];
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (next, hex) {
            (b'n', _) => out.push(b'\n'),
            (b't', _) => out.push(b'\t'),
            (b'\\', _) => out.push(b'\\'),
            (b'"', _) => out.push(b'"'),
            (_, Some(h)) => {
                out.push(h);
                i += 1;
            }
            (other, None) => out.push(other),
        }
        i += 2;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `@main` or `@"my fn"` → the symbol's name.
pub fn symbol(text: &str) -> String {
    let name = &text[1..];
    if name.starts_with('"') {
        unescape_string(name)
    } else {
        name.to_string()
    }
}

/// The name a value had in the source, kept unless it is a plain number (numbers
/// are renumbered by the printer).
pub fn name_hint(ssa_name: &str) -> Option<String> {
    let name = &ssa_name[1..];
    (!name.bytes().all(|b| b.is_ascii_digit())).then(|| name.to_string())
}

pub fn resource_key(pair: Pair<Rule>) -> String {
    let inner = pair.into_inner().next().expect("key alternative");
    match inner.as_rule() {
        Rule::string_lit => unescape_string(inner.as_str()),
        _ => inner.as_str().to_string(),
    }
}

pub fn split_int_type(text: &str) -> (Signedness, &str) {
    if let Some(d) = text.strip_prefix("si") {
        (Signedness::Signed, d)
    } else if let Some(d) = text.strip_prefix("ui") {
        (Signedness::Unsigned, d)
    } else {
        (Signedness::Signless, &text[1..])
    }
}

/// A float type keyword the grammar accepted.
pub fn float_type(text: &str) -> ElementType {
    match text {
        "f16" => ElementType::F16,
        "bf16" => ElementType::BF16,
        "f32" => ElementType::F32,
        _ => ElementType::F64,
    }
}

pub fn is_float_text(text: &str) -> bool {
    !text.starts_with("0x") && text.contains('.')
}

pub fn parse_i64(text: &str) -> Option<i64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|v| v as i64),
        None => text.strip_prefix('+').unwrap_or(text).parse().ok(),
    }
}

pub fn parse_f64(text: &str) -> Option<f64> {
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// A float literal for `element`: decimal, integer, or hex bits of that width.
pub fn parse_float_as(text: &str, element: &ElementType) -> Option<f64> {
    if let Some(hex) = text.strip_prefix("0x") {
        let bits = u64::from_str_radix(hex, 16).ok()?;
        return match element {
            ElementType::F32 => u32::try_from(bits).ok().map(|b| f32::from_bits(b) as f64),
            ElementType::F64 => Some(f64::from_bits(bits)),
            _ => None,
        };
    }
    let v = parse_f64(text)?;
    if *element == ElementType::F32 && v.is_finite() && (v as f32).is_infinite() {
        return None;
    }
    Some(v)
}

/// Whether `v` is representable in the integer type (signless types accept both
/// the signed and the unsigned reading, as MLIR does).
pub fn fits(v: i64, element: &ElementType) -> bool {
    let ElementType::Int { width, signedness } = element else {
        return matches!(element, ElementType::Index);
    };
    if *width >= 64 {
        return *signedness != Signedness::Unsigned || v >= 0;
    }
    let umax = (1i128 << width) - 1;
    let smin = -(1i128 << (width - 1));
    let smax = (1i128 << (width - 1)) - 1;
    let v = v as i128;
    match signedness {
        Signedness::Signed => (smin..=smax).contains(&v),
        Signedness::Unsigned => (0..=umax).contains(&v),
        Signedness::Signless => (smin..=umax).contains(&v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_unescape() {
        assert_eq!(unescape_string(r#""a\"b\\c\0A\n""#), "a\"b\\c\n\n");
    }

    #[test]
    fn integer_ranges() {
        assert!(fits(255, &ElementType::int(8)));
        assert!(fits(-128, &ElementType::int(8)));
        assert!(!fits(256, &ElementType::int(8)));
        assert!(!fits(-1, &ElementType::UI8));
        assert!(!fits(128, &ElementType::SI8));
        assert!(fits(1, &ElementType::I1) && !fits(2, &ElementType::I1));
    }

    #[test]
    fn floats_from_bits() {
        assert_eq!(parse_float_as("0x7F800000", &ElementType::F32), Some(f64::INFINITY));
        assert_eq!(parse_float_as("1e40", &ElementType::F32), None);
        assert_eq!(parse_float_as("3", &ElementType::F32), Some(3.0));
    }
}
