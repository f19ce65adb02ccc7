//! The few transcendental functions the generators need, written with `+ - * /`
//! and `sqrt` only (all correctly rounded by IEEE 754), so a seed gives the same
//! bits on every platform; the system libm's `exp` may differ in the last ulp.

use std::f64::consts::{FRAC_1_SQRT_2, LN_2, LOG2_E};

/// e^x, to within a couple of ulps.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // x = k·ln2 + r with |r| ≤ ln2/2; e^r by Taylor series (r^18/18! < 1e-24).
    // ln2 is split in two (Cody–Waite, fdlibm's constants) so that k·LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    let k = (x * LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..18 {
        term *= r / n as f64;
        sum += term;
    }
    // Two steps so that subnormal results do not need 2^k itself to be subnormal.
    let k = k as i32;
    sum * pow2(k / 2) * pow2(k - k / 2)
}

/// ln x for finite x > 0: Newton's method on `exp(y) = x`, started from the
/// exponent bits so that a handful of steps suffice.
pub fn ln(x: f64) -> f64 {
    debug_assert!(x > 0.0 && x.is_finite());
    let exponent = ((x.to_bits() >> 52) & 0x7FF) as f64 - 1023.0;
    let mut y = exponent * LN_2;
    for _ in 0..64 {
        let step = 1.0 - x / exp(y);
        y -= step;
        if step.abs() < 1e-15 {
            break;
        }
    }
    y
}

/// 2^k for k in the normal exponent range.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// The standard normal density φ(z).
pub fn normal_pdf(z: f64) -> f64 {
    const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    INV_SQRT_2PI * exp(-0.5 * z * z)
}

/// The standard normal distribution function Φ(z), with relative error below
/// 1.2e-7 everywhere, tails included (Numerical Recipes' Chebyshev `erfc`).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * FRAC_1_SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    const C: [f64; 10] = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ];
    let poly = C.iter().rev().fold(0.0, |acc, &c| acc * t + c);
    let r = t * exp(-z * z + poly);
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Mean and variance of `clamp(X, lo, hi)` for `X ~ N(mean, var)`; either bound
/// may be infinite. This is how statistics pass through ReLU and ReLU6.
pub fn clamped_normal_moments(mean: f64, var: f64, lo: f64, hi: f64) -> (f64, f64) {
    let sd = var.max(0.0).sqrt();
    // Beyond 8σ the other side carries < 1e-15 of the mass: the output is constant.
    if sd == 0.0 || (lo - mean) / sd >= 8.0 || (hi - mean) / sd <= -8.0 {
        return (mean.clamp(lo, hi), 0.0);
    }
    // Work in units of σ around the mean, where the terms are O(1).
    let a = (lo - mean) / sd;
    let b = (hi - mean) / sd;
    let below = normal_cdf(a);
    let above = normal_cdf(-b);
    let (pa, pb) = (normal_pdf(a), normal_pdf(b));
    // z·φ(z), z²·Φ(z) and friends vanish at infinite bounds (avoid ∞·0).
    let finite = |z: f64, v: f64| if z.is_finite() { v } else { 0.0 };
    let m1 = finite(a, a * below) + finite(b, b * above) + pa - pb;
    let m2 = finite(a, a * a * below + a * pa) + finite(b, b * b * above - b * pb) + (1.0 - below - above);
    (mean + sd * m1, var * (m2 - m1 * m1).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std() {
        for x in [-700.0, -20.5, -1.0, -1e-9, 0.0, 0.3, 1.0, 2.5, 50.0, 700.0] {
            let (ours, std) = (exp(x), x.exp());
            assert!((ours - std).abs() <= 4.0 * f64::EPSILON * std, "exp({x}) = {ours}, std {std}");
        }
        assert_eq!(exp(-800.0), 0.0);
        for x in [1e-300, 0.001, 0.5, 1.0, 2.0, 1000.0, 1e300] {
            assert!((ln(x) - x.ln()).abs() <= 1e-14 * x.ln().abs().max(1.0), "ln({x})");
        }
        assert!(exp(-740.0) > 0.0);
    }

    #[test]
    fn cdf_is_accurate() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 1e-7);
        assert!((normal_cdf(-3.0) - 0.001_349_898).abs() < 1e-9);
    }

    #[test]
    fn relu_of_standard_normal() {
        // E[max(0, Z)] = 1/√(2π); E[max(0, Z)²] = 1/2.
        let (m, v) = clamped_normal_moments(0.0, 1.0, 0.0, f64::INFINITY);
        assert!((m - 0.398_942_28).abs() < 1e-6);
        assert!((v - (0.5 - m * m)).abs() < 1e-6);
        // Far inside the bounds, clamping changes nothing.
        let (m, v) = clamped_normal_moments(3.0, 0.01, 0.0, 6.0);
        assert!((m - 3.0).abs() < 1e-9 && (v - 0.01).abs() < 1e-8);
        // Far below zero a ReLU channel is dead.
        assert_eq!(clamped_normal_moments(-10.0, 1.0, 0.0, 6.0), (0.0, 0.0));
    }
}
