//! The GEMM epilogue: zero-point corrections, bias, requantization, clamp.
//!
//! With raw sums S = Σ_k a_k·w_k and the row sum R = Σ_k a_k,
//! Σ (a − z_a)(w − z_w) + bias = S − z_w·R + (bias − z_a·Σ_k w_k + K·z_a·z_w);
//! the bracket is a per-column constant folded here once (`bias`), and the z_w·R
//! term is only computed when some z_w is not 0.

use super::QGemmSpec;

/// Per-column constants, padded with zeros so that kernels may load whole vectors.
pub(crate) struct Epilogue {
    /// bias − z_a·Σ_k w + K·z_a·z_w, wrapped to i32.
    pub bias: Vec<i32>,
    pub wzero: Vec<i32>,
    pub need_rowsum: bool,
    /// Rescale(a, m, k) = (a·m + round) >> shift: the multiplier, and for k = 0 or
    /// k ≥ 63 the equivalent round and shift (k ≥ 63 gives 0: m = round = 0).
    pub mult: Vec<i64>,
    pub round: Vec<i64>,
    pub shift: Vec<i64>,
    /// The exact (m, k) for the scalar path.
    pub requant: Vec<(i32, i32)>,
    pub zero: i32,
    pub lo: i32,
    pub hi: i32,
}

/// Room for a kernel loading 64 columns past the last real one.
const PAD: usize = 128;

impl Epilogue {
    pub fn new(spec: &QGemmSpec) -> Epilogue {
        let n = spec.n;
        let padded = |v: Vec<i64>| v.into_iter().chain(std::iter::repeat_n(0, PAD)).collect::<Vec<i64>>();
        let za = i64::from(spec.input_zero);
        let bias = (0..n)
            .map(|j| {
                let w_sum: i64 = spec.weights[j * spec.k..][..spec.k].iter().map(|&w| i64::from(w)).sum();
                let zw = i64::from(spec.weight_zeros[j]);
                (i64::from(spec.bias[j]) - za * w_sum + spec.k as i64 * za * zw) as i32
            })
            .chain(std::iter::repeat_n(0, PAD))
            .collect();
        let (mult, round, shift) = spec.requant.iter().map(|&(m, k)| vector_form(m, k)).fold(
            (Vec::new(), Vec::new(), Vec::new()),
            |(mut a, mut b, mut c), (m, r, s)| {
                a.push(m);
                b.push(r);
                c.push(s);
                (a, b, c)
            },
        );
        let (zero, lo, hi) = spec.output;
        Epilogue {
            bias,
            wzero: spec.weight_zeros.iter().copied().chain(std::iter::repeat_n(0, PAD)).collect(),
            need_rowsum: spec.weight_zeros.iter().any(|&z| z != 0),
            mult: padded(mult),
            round: padded(round),
            shift: padded(shift),
            requant: spec.requant.clone(),
            zero,
            lo,
            hi,
        }
    }

    /// The output byte of column `j` for raw sum `acc` and row sum `rowsum`.
    #[inline(always)]
    pub fn apply(&self, j: usize, acc: i32, rowsum: i32) -> u8 {
        let a = acc.wrapping_add(self.bias[j]).wrapping_sub(self.wzero[j].wrapping_mul(rowsum));
        let (m, k) = self.requant[j];
        let r = dfq_quant::rescale(i64::from(a), m, k);
        (i64::from(self.zero) + r).clamp(i64::from(self.lo), i64::from(self.hi)) as u8
    }
}

/// (m, round, shift) with (a·m + round) >> shift = Rescale(a, m, k) for every i32 a.
fn vector_form(m: i32, k: i32) -> (i64, i64, i64) {
    match k {
        k if k >= 63 => (0, 0, 0),
        k if k <= 0 => (i64::from(m) << (-k), 0, 0),
        k => (i64::from(m), 1i64 << (k - 1), i64::from(k)),
    }
}
