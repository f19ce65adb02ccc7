//! Float literals that MLIR's lexer accepts and that round-trip exactly.
//!
//! MLIR requires a `.` in a decimal float literal (`1.0e-10`, never `1e-10`), and
//! spells NaN and infinities as hexadecimal bit patterns.

/// Shortest decimal that parses back to the same `f64`.
pub fn format_f64(v: f64) -> String {
    if !v.is_finite() {
        return format!("0x{:016X}", v.to_bits());
    }
    with_mandatory_dot(format!("{v:?}"))
}

/// Shortest decimal that parses back to the same `f32`.
pub fn format_f32(v: f32) -> String {
    if !v.is_finite() {
        return format!("0x{:08X}", v.to_bits());
    }
    with_mandatory_dot(format!("{v:?}"))
}

fn with_mandatory_dot(s: String) -> String {
    if s.contains('.') {
        return s;
    }
    match s.find('e') {
        Some(e) => format!("{}.0{}", &s[..e], &s[e..]),
        None => format!("{s}.0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_always_have_a_dot() {
        assert_eq!(format_f64(1.0), "1.0");
        assert_eq!(format_f64(1e-10), "1.0e-10");
        assert_eq!(format_f64(-2.12), "-2.12");
        assert_eq!(format_f32(1e30), "1.0e30");
        assert_eq!(format_f32(f32::INFINITY), "0x7F800000");
        assert_eq!(format_f64(f64::NEG_INFINITY), "0xFFF0000000000000");
    }

    #[test]
    fn round_trips() {
        for v in [0.1f32, 1.0 / 3.0, 6.0, f32::MIN_POSITIVE, f32::MAX, -0.0] {
            assert_eq!(format_f32(v).parse::<f32>().unwrap().to_bits(), v.to_bits());
        }
    }
}
