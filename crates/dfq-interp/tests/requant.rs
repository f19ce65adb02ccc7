//! The integer arithmetic of qnn.toml: fixed-point multipliers, Rescale's
//! rounding (halves toward +∞), saturation, and ONNX quantize/dequantize.

mod common;

use common::rng;
use dfq_interp::quant::{dequantize, quantize, quantize_multiplier, rescale, OutputRange, Requantizer};
use rand::Rng;

/// Rescale by its definition as a rational: ⌊a·m / 2^k + 1/2⌋, exactly, in i128.
fn exact_rescale(a: i64, m: i32, k: i32) -> i128 {
    if k >= 126 {
        // |a·m| < 2^62, so |a·m / 2^k| < 2^−64 and rounds to 0.
        return 0;
    }
    let numerator = 2 * a as i128 * m as i128 + (1i128 << k);
    numerator.div_euclid(1i128 << (k + 1))
}

fn requant(m: f64) -> (i32, i32) {
    let r = Requantizer::new(m).unwrap();
    (r.multiplier, r.shift)
}

#[test]
fn multiplier_edge_cases() {
    // frexp(0.5) = (0.5, 0): m = 0.5·2^31 = 2^30, k = 31.
    assert_eq!(requant(0.5), (1 << 30, 31));
    // frexp(1) = (0.5, 1): k = 30.
    assert_eq!(requant(1.0), (1 << 30, 30));
    // 0.75 = 0.75·2^0: m = 0.75·2^31 = 3·2^29.
    assert_eq!(requant(0.75), (3 << 29, 31));
    // 1 − 2^−40: f·2^31 = 2^31 − 2^−9 rounds to 2^31, renormalized to 2^30 with e + 1.
    assert_eq!(requant(1.0 - 2f64.powi(-40)), (1 << 30, 30));
    // 0.5 + 2^−32: f·2^31 = 2^30 + 0.5, a tie, rounds away from zero.
    assert_eq!(requant(0.5 + 2f64.powi(-32)), ((1 << 30) + 1, 31));
    // The largest multiplier: 2^31 − 1 = f·2^31 with e = 31, so k = 0.
    assert_eq!(requant(2f64.powi(31) - 1.0), (i32::MAX, 0));
    // The smallest subnormal: frexp = (0.5, −1073), k = 31 + 1073.
    assert_eq!(requant(f64::from_bits(1)), (1 << 30, 1104));
}

#[test]
fn invalid_multipliers_are_errors() {
    for m in [0.0, -0.5, f64::NAN, f64::INFINITY, 2f64.powi(31), 1e12] {
        assert!(Requantizer::new(m).is_err(), "{m} accepted");
    }
}

#[test]
fn multiplier_is_the_nearest_31_bit_fraction() {
    let mut r = rng(10);
    for _ in 0..100_000 {
        let real = 2f64.powf(r.gen_range(-40.0..30.0));
        let (m, k) = quantize_multiplier(real);
        assert!((1 << 30..=i32::MAX).contains(&m), "{real}: m = {m} is not normalized");
        // real·2^k is exact (a power-of-two scaling) and lies within half a unit of m,
        // with ties going up (away from zero).
        let scaled = real * 2f64.powi(k);
        assert!((m as f64 - scaled).abs() <= 0.5, "{real}: m = {m}, real·2^k = {scaled}");
        if scaled.fract() == 0.5 {
            assert_eq!(m as f64, scaled.ceil());
        }
    }
}

#[test]
fn half_rounds_toward_positive_infinity() {
    // M = 0.5: Rescale(a) = ⌊(a + 1) / 2⌋, so 0.5 → 1, −0.5 → 0, 1.5 → 2, −1.5 → −1, 2.5 → 3 (not 2).
    let (m, k) = quantize_multiplier(0.5);
    assert_eq!(k, 31);
    let cases = [(1, 1), (-1, 0), (3, 2), (-3, -1), (5, 3), (-5, -2), (0, 0), (2, 1), (-2, -1)];
    for (a, want) in cases {
        assert_eq!(rescale(a, m, k), want, "Rescale({a}, 0.5)");
    }
    for a in -10_000..=10_000i64 {
        assert_eq!(rescale(a, m, k), (a + 1).div_euclid(2), "Rescale({a}, 0.5)");
    }
    // M = 2^−n: ⌊a / 2^n + 1/2⌋, ties (a = ±2^(n−1) + j·2^n) up; a stays within i32.
    for n in 1..=30 {
        let (m, k) = quantize_multiplier(2f64.powi(-n));
        let half = 1i64 << (n - 1);
        for a in [half, -half, 3 * half, -3 * half, half - 1, -half + 1, -half - 1] {
            let want = (a + half).div_euclid(1 << n);
            assert_eq!(rescale(a, m, k), want, "Rescale({a}, 2^-{n})");
        }
    }
}

#[test]
fn identity_and_shift_zero() {
    // M = 1: Rescale is the identity over the whole i32 range.
    let (m, k) = quantize_multiplier(1.0);
    for a in [i32::MIN as i64, -7, -1, 0, 1, 7, i32::MAX as i64] {
        assert_eq!(rescale(a, m, k), a);
    }
    // k = 0 (M ≥ 2^30): no rounding term, the plain product; it fits i64 even at the extremes.
    let (m, k) = quantize_multiplier(2f64.powi(31) - 1.0);
    assert_eq!(k, 0);
    for a in [i32::MIN as i64, -3, 0, 5, i32::MAX as i64] {
        assert_eq!(rescale(a, m, k), a * m as i64);
    }
}

#[test]
fn large_shifts() {
    // M = 2^−31: k = 61; ±2^30 is ±0.5: up to 1 and to 0; −2^31 is exactly −1.
    let (m, k) = quantize_multiplier(2f64.powi(-31));
    assert_eq!(k, 61);
    assert_eq!(rescale(1 << 30, m, k), 1);
    assert_eq!(rescale(-(1 << 30), m, k), 0);
    assert_eq!(rescale(i32::MIN as i64, m, k), -1);
    // M = 2^−32: k = 62, the largest shift with a rounding term; |a·M| < 1/2 gives 0.
    let (m, k) = quantize_multiplier(2f64.powi(-32));
    assert_eq!(k, 62);
    assert_eq!(rescale(i32::MAX as i64, m, k), 0);
    assert_eq!(rescale(i32::MIN as i64, m, k), 0); // −0.5 rounds up to 0
                                                   // k ≥ 63 gives 0 by definition.
    for e in [-33, -34, -60, -200] {
        let (m, k) = quantize_multiplier(2f64.powi(e));
        assert!(k >= 63);
        assert_eq!(rescale(i32::MIN as i64, m, k), 0);
        assert_eq!(rescale(i32::MAX as i64, m, k), 0);
    }
}

#[test]
fn rescale_equals_the_exact_rational_rounding() {
    let mut r = rng(11);
    for i in 0..300_000 {
        let a: i64 = match i % 3 {
            0 => r.gen_range(i32::MIN..=i32::MAX).into(),
            1 => r.gen_range(-1000..=1000),
            _ => [i32::MIN as i64, i32::MAX as i64, -1, 0, 1][r.gen_range(0..5)],
        };
        let real = 2f64.powf(r.gen_range(-70.0..31.0)).min(2f64.powi(31) - 1.0);
        let (m, k) = quantize_multiplier(real);
        let got = rescale(a, m, k);
        assert_eq!(got as i128, exact_rescale(a, m, k), "Rescale({a}, {real}) with m = {m}, k = {k}");
        // And within one unit of the real product a·M (m approximates M to 2^−31 relative).
        let product = a as f64 * real;
        assert!((got as f64 - product).abs() <= 0.5 + product.abs() * 2f64.powi(-30) + 1e-9, "{a}·{real}");
    }
}

#[test]
fn requantizer_refuses_accumulators_beyond_i32() {
    let r = Requantizer::new(0.5).unwrap();
    assert_eq!(r.apply(i32::MAX as i64), Ok((i32::MAX as i64 + 1) / 2));
    assert!(r.apply(i32::MAX as i64 + 1).is_err());
    assert!(r.apply(i32::MIN as i64 - 1).is_err());
}

#[test]
fn output_saturates_at_both_ends() {
    // u8 with zero point 128: 128 + r clamped to [0, 255].
    let out = OutputRange::new(128, 0, 255).unwrap();
    assert_eq!([out.place(0), out.place(127), out.place(128), out.place(-128), out.place(-129)], [128, 255, 255, 0, 0]);
    assert_eq!([out.place(i64::MAX), out.place(i64::MIN)], [255, 0]);
    // A fused ReLU6 window inside i8: [z, z + round(6 / s)] = [−128, −128 + 60].
    let relu6 = OutputRange::new(-128, -128, -68).unwrap();
    assert_eq!([relu6.place(-5), relu6.place(30), relu6.place(100)], [-128, -98, -68]);
    assert!(OutputRange::new(0, 5, 4).is_err());
}

#[test]
fn quantize_rounds_half_to_even() {
    // x / s = k + 0.5 exactly: to the even neighbour, on both sides of 0, then + z.
    let cases = [(0.5, 0), (1.5, 2), (2.5, 2), (3.5, 4), (-0.5, 0), (-1.5, -2), (-2.5, -2), (-3.5, -4)];
    for (x, want) in cases {
        assert_eq!(quantize(x, 1.0, 0, -128, 127), want, "quantize({x})");
        assert_eq!(quantize(x * 0.25, 0.25, 10, -128, 127), want + 10, "quantize({x}·0.25) with z = 10");
    }
}

#[test]
fn quantize_divides_in_f32() {
    // 0.35f32 / 0.1f32 is exactly 3.5 in f32 (a tie → 4), though 3.4999999 in f64 (→ 3).
    assert_eq!(quantize(0.35, 0.1f64 as f32, 0, 0, 255), 4);
    // 1.35f32 / 0.3f32 is 4.5 in f32 (→ 4), 4.50000008 in f64 (→ 5).
    assert_eq!(quantize(1.35, 0.3f64 as f32, 0, 0, 255), 4);
}

#[test]
fn quantize_saturates_at_both_ends() {
    assert_eq!(quantize(1000.0, 1.0, 128, 0, 255), 255);
    assert_eq!(quantize(-1000.0, 1.0, 128, 0, 255), 0);
    assert_eq!(quantize(127.4, 1.0, 128, 0, 255), 255);
    assert_eq!(quantize(f32::INFINITY, 0.1, 0, -128, 127), 127);
    assert_eq!(quantize(f32::NEG_INFINITY, 0.1, 0, -128, 127), -128);
    assert_eq!(quantize(-3e38, 1e-30, 0, -127, 127), -127);
    // NaN, which ONNX leaves undefined, maps to the zero point.
    assert_eq!(quantize(f32::NAN, 0.1, 3, 0, 255), 3);
}

#[test]
fn dequantize_is_affine() {
    // (q − z)·s: (200 − 128)·0.5 = 36, (0 − 128)·0.5 = −64.
    assert_eq!(dequantize(200, 0.5, 128), 36.0);
    assert_eq!(dequantize(0, 0.5, 128), -64.0);
    assert_eq!(dequantize(-128, 0.25, -128), 0.0);
}
