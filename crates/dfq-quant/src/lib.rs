//! The scalar arithmetic of dfq's quantized values, in one place so that the passes
//! (which fold constants), the interpreter (which defines the semantics) and the
//! JIT (which must match it bit for bit) cannot drift apart. The rules are those of
//! `dialects/qnn.toml`.

use dfq_ir::{QuantParams, QuantType};

/// ONNX QuantizeLinear: q = clamp(round_half_even(x / s) + z, lo, hi), with the
/// division in f32.
pub fn quantize(x: f32, scale: f32, zero_point: i64, lo: i64, hi: i64) -> i64 {
    let q = (x / scale).round_ties_even();
    if q.is_nan() {
        return zero_point.clamp(lo, hi);
    }
    // Saturate in f64 first: a huge x must not wrap when converted.
    let q = (q as f64 + zero_point as f64).clamp(lo as f64, hi as f64);
    q as i64
}

/// ONNX DequantizeLinear: x = (q − z) · s in f32.
pub fn dequantize(q: i64, scale: f32, zero_point: i64) -> f32 {
    (q - zero_point) as f32 * scale
}

/// Scale and zero point of `channel` (ignored for per-tensor types), the scale
/// rounded to f32 as quantize/dequantize use it.
pub fn channel_params(q: &QuantType, channel: usize) -> (f32, i64) {
    match &q.params {
        QuantParams::PerTensor { scale, zero_point } => (*scale as f32, *zero_point),
        QuantParams::PerAxis { scales, zero_points, .. } => (scales[channel] as f32, zero_points[channel]),
    }
}

/// The axis a per-axis type quantizes along, `None` for per-tensor.
pub fn quant_axis(q: &QuantType) -> Option<usize> {
    match &q.params {
        QuantParams::PerTensor { .. } => None,
        QuantParams::PerAxis { axis, .. } => Some(*axis as usize),
    }
}

/// A real multiplier M > 0 as a 32-bit fixed-point multiplier m and right shift k,
/// M ≈ m · 2^−k: (f, e) = frexp(M), m = round(f · 2^31) (half away from zero),
/// renormalized if it rounds up to 2^31, k = 31 − e.
pub fn quantize_multiplier(m: f64) -> (i32, i32) {
    assert!(m > 0.0 && m.is_finite(), "requantization multiplier must be positive and finite, got {m}");
    let (f, e) = frexp(m);
    let mut mult = (f * (1u64 << 31) as f64).round() as i64;
    let mut exp = e;
    if mult == 1i64 << 31 {
        mult = 1 << 30;
        exp += 1;
    }
    (mult as i32, 31 - exp)
}

/// (a · m + 2^(k−1)) >> k in i64, an arithmetic shift: rounds halves toward +∞.
/// The rounding term is 0 for k = 0; any shift of 63 or more gives 0.
pub fn rescale(acc: i64, multiplier: i32, shift: i32) -> i64 {
    if shift >= 63 {
        return 0;
    }
    let product = acc * multiplier as i64;
    if shift <= 0 {
        return product << (-shift);
    }
    (product + (1i64 << (shift - 1))) >> shift
}

/// x = f · 2^e with 0.5 ≤ f < 1 for finite x > 0.
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7FF) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (f, e) = frexp(x * (1u64 << 54) as f64);
        return (f, e - 54);
    }
    let f = f64::from_bits((bits & !(0x7FFu64 << 52)) | (1022u64 << 52));
    (f, exp - 1022)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_rounds_half_to_even_and_saturates() {
        assert_eq!(quantize(0.5, 1.0, 0, -128, 127), 0);
        assert_eq!(quantize(1.5, 1.0, 0, -128, 127), 2);
        assert_eq!(quantize(-2.5, 1.0, 0, -128, 127), -2);
        assert_eq!(quantize(1e30, 1.0, 0, 0, 255), 255);
        assert_eq!(quantize(-1e30, 1.0, 3, 0, 255), 0);
        assert_eq!(quantize(f32::NAN, 1.0, 3, 0, 255), 3);
    }

    #[test]
    fn multipliers_reconstruct() {
        for m in [1.0, 0.5, 0.75, 1e-9, 0.999_999_999_9, 3.0, 1234.5] {
            let (q, k) = quantize_multiplier(m);
            let back = q as f64 / 2f64.powi(k);
            assert!((back - m).abs() <= m * 1e-9, "{m}: {q} >> {k} = {back}");
            assert!(q >= 1 << 30, "{m}: multiplier {q} is normalized");
        }
        // f rounds up to 1.0: renormalized.
        assert_eq!(quantize_multiplier(1.0 - 1e-12), (1 << 30, 30));
    }

    #[test]
    fn rescale_rounds_half_up() {
        let (m, k) = quantize_multiplier(0.5);
        assert_eq!(rescale(3, m, k), 2); // 1.5 → 2
        assert_eq!(rescale(-3, m, k), -1); // −1.5 → −1
        assert_eq!(rescale(5, 1 << 30, 0), 5 << 30);
        assert_eq!(rescale(i32::MAX as i64, 1, 63), 0);
    }

    #[test]
    fn frexp_matches_definition() {
        for x in [1.0, 0.3, 1e-310, 7.5e300] {
            let (f, e) = frexp(x);
            assert!((0.5..1.0).contains(&f));
            // Two steps: 2^e alone may not be representable.
            assert_eq!(f * 2f64.powi(e / 2) * 2f64.powi(e - e / 2), x);
        }
    }
}
