//! Requantization constants for generated code.
//!
//! The rule (dialects/qnn.toml) is Rescale(a, M) = (a·m + 2^(k−1)) >> k in i64.
//! Generated SIMD code works on i64 lanes two at a time and finishes with a
//! 32-bit shift, so it wants one shift K ≥ 32 for all lanes: multiplying m and the
//! rounding term by 2^(K−k) leaves the quotient unchanged, as long as the i64
//! product cannot overflow for the accumulators the op can produce. When it could,
//! the op falls back to scalar code with the exact (m, k).

/// Scalar form of one multiplier: (a·mult + round) >> shift in i64 equals
/// Rescale(a, m, k) for every i32 a.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rescale {
    pub mult: i64,
    pub round: i64,
    pub shift: i64,
}

impl Rescale {
    pub fn new((m, k): (i32, i32)) -> Rescale {
        match k {
            k if k >= 63 => Rescale { mult: 0, round: 0, shift: 0 },
            0 => Rescale { mult: m.into(), round: 0, shift: 0 },
            k => Rescale { mult: m.into(), round: 1 << (k - 1), shift: k.into() },
        }
    }

    #[cfg(test)]
    pub fn apply(&self, a: i64) -> i64 {
        (a * self.mult + self.round) >> self.shift
    }
}

/// Vector form: (a·mult[c] + round[c]) >> shift for all lanes, shift ≥ 32.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SimdRescale {
    pub mult: Vec<i64>,
    pub round: Vec<i64>,
    pub shift: u32,
}

impl SimdRescale {
    /// The vector form of per-lane multipliers `(m, k)` for accumulators with
    /// |a| ≤ bound[c]; `None` if some product could overflow i64.
    pub fn new(multipliers: &[(i32, i32)], bounds: &[i64]) -> Option<SimdRescale> {
        let shift = multipliers.iter().map(|&(_, k)| k).filter(|&k| k < 63).max().unwrap_or(32).max(32);
        let mut mult = Vec::with_capacity(multipliers.len());
        let mut round = Vec::with_capacity(multipliers.len());
        for (&(m, k), &bound) in multipliers.iter().zip(bounds) {
            let (m2, r2) = match k {
                k if k >= 63 => (0i128, 0i128),
                k => {
                    let up = shift - k;
                    let r = if k == 0 { 0 } else { 1i128 << (shift - 1) };
                    (i128::from(m) << up, r)
                }
            };
            if i128::from(bound) * m2 + r2 > i128::from(i64::MAX) {
                return None;
            }
            mult.push(m2 as i64);
            round.push(r2 as i64);
        }
        Some(SimdRescale { mult, round, shift: shift as u32 })
    }

    /// Whether every lane has the same constants (then they are immediates).
    pub fn uniform(&self) -> bool {
        self.mult.windows(2).all(|w| w[0] == w[1]) && self.round.windows(2).all(|w| w[0] == w[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_form_equals_the_rule() {
        let reals = [1e-12, 3.1e-6, 0.0017, 0.249, 0.25, 0.5, 0.75, 1.0, 1.5, 3.0, 200.0, 70000.0];
        for &real in &reals {
            let mk = dfq_quant::quantize_multiplier(real);
            let bound = 1 << 16;
            let scalar = Rescale::new(mk);
            for a in [-bound, -bound + 1, -12345, -3, -2, -1, 0, 1, 2, 3, 777, bound - 1, bound] {
                assert_eq!(scalar.apply(a), dfq_quant::rescale(a, mk.0, mk.1), "scalar {real} {a}");
            }
            // Alone and next to a lane with a larger shift.
            for lanes in [vec![mk], vec![mk, dfq_quant::quantize_multiplier(1e-9)]] {
                let Some(v) = SimdRescale::new(&lanes, &vec![bound; lanes.len()]) else { continue };
                for a in [-bound, -12345, -3, -1, 0, 1, 2, 777, bound] {
                    let r = (a * v.mult[0] + v.round[0]) >> v.shift;
                    assert_eq!(r, dfq_quant::rescale(a, mk.0, mk.1), "simd {real} {a}");
                }
            }
        }
    }

    #[test]
    fn overflow_is_refused() {
        let mk = dfq_quant::quantize_multiplier(1000.0);
        assert!(SimdRescale::new(&[mk], &[1 << 40]).is_none());
    }
}
