//! Expectations of activations of a Gaussian pre-activation, for bias correction:
//! x ~ N(μ, σ²) per channel, as batch norm's β and |γ| describe it.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Standard normal density.
pub fn pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// Standard normal cumulative distribution, Φ(z) = erfc(−z/√2)/2.
pub fn cdf(z: f64) -> f64 {
    0.5 * erfc(-z * FRAC_1_SQRT_2)
}

/// Complementary error function with relative error below 1.2e-7 everywhere
/// (the Chebyshev fit of Numerical Recipes §6.2).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// E[clip(x, lo, hi)] for x ~ N(μ, σ²); `lo`/`hi` may be infinite (ReLU is
/// clip(x, 0, ∞), identity clip(x, −∞, ∞)).
pub fn clipped_mean(mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    if sigma <= 0.0 || !sigma.is_finite() {
        return mu.clamp(lo, hi);
    }
    let a = (lo - mu) / sigma;
    let b = (hi - mu) / sigma;
    // Mass below lo sits at lo, above hi at hi; between, the truncated normal's
    // first moment: μ(Φ(b) − Φ(a)) + σ(φ(a) − φ(b)).
    let below = if lo.is_finite() { lo * cdf(a) } else { 0.0 };
    let above = if hi.is_finite() { hi * (1.0 - cdf(b)) } else { 0.0 };
    let inside = mu * (cdf(b) - cdf(a)) + sigma * (pdf(a) - pdf(b));
    below + above + inside
}

/// E[g(x)] for x ~ N(μ, σ²) by the trapezoid rule over ±12σ: the numerical
/// reference the closed forms are tested against.
#[cfg(test)]
pub(crate) fn expectation(g: impl Fn(f64) -> f64, mu: f64, sigma: f64) -> f64 {
    let n = 200_000;
    let (start, end) = (mu - 12.0 * sigma, mu + 12.0 * sigma);
    let h = (end - start) / n as f64;
    (0..=n)
        .map(|i| {
            let x = start + i as f64 * h;
            let w = if i == 0 || i == n { 0.5 } else { 1.0 };
            w * g(x) * pdf((x - mu) / sigma) / sigma
        })
        .sum::<f64>()
        * h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integrate(mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
        expectation(|x| x.clamp(lo, hi), mu, sigma)
    }

    #[test]
    fn matches_numerical_integration() {
        let cases = [
            (0.0, 1.0, 0.0, f64::INFINITY),
            (-2.0, 0.5, 0.0, f64::INFINITY),
            (3.0, 2.0, 0.0, 6.0),
            (5.5, 1.0, 0.0, 6.0),
            (-1.0, 3.0, f64::NEG_INFINITY, f64::INFINITY),
            (0.2, 0.01, 0.0, 0.3),
            (10.0, 4.0, 0.0, 2.5),
        ];
        for (mu, sigma, lo, hi) in cases {
            let closed = clipped_mean(mu, sigma, lo, hi);
            let numeric = integrate(mu, sigma, lo, hi);
            assert!((closed - numeric).abs() < 1e-6 * (1.0 + numeric.abs()), "{mu} {sigma} {lo} {hi}: {closed} vs {numeric}");
        }
    }

    #[test]
    fn degenerate_sigma_is_a_point_mass() {
        assert_eq!(clipped_mean(7.0, 0.0, 0.0, 6.0), 6.0);
        assert_eq!(clipped_mean(-1.0, 0.0, 0.0, f64::INFINITY), 0.0);
    }

    #[test]
    fn cdf_known_values() {
        // The approximation's relative error bound is 1.2e-7.
        assert!((cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((cdf(1.959963984540054) - 0.975).abs() < 1e-7);
        assert!((cdf(-3.0) - 0.0013498980316301).abs() < 1e-9);
    }
}
