//! The GEMM epilogue: zero-point corrections, bias, requantization, clamp.
//!
//! With raw sums S = Σ_k a_k·w_k and the row sum R = Σ_k a_k,
//! Σ (a − z_a)(w − z_w) + bias = S − z_w·R + (bias − z_a·Σ_k w_k + K·z_a·z_w);
//! the bracket is a per-column constant folded here once (`bias`), and the z_w·R
//! term is only computed when some z_w is not 0.

use super::QGemmSpec;
use crate::aligned::Table;

/// Per-column constants, padded with zeros so that kernels may load whole vectors.
pub(crate) struct Epilogue {
    /// bias − z_a·Σ_k w + K·z_a·z_w, wrapped to i32.
    pub bias: Table<i32>,
    pub wzero: Table<i32>,
    pub need_rowsum: bool,
    /// Rescale(a, m, k) = (a·m + round) >> shift: the multiplier, and for k = 0 or
    /// k ≥ 63 the equivalent round and shift (k ≥ 63 gives 0: m = round = 0).
    pub mult: Table<i64>,
    pub round: Table<i64>,
    pub shift: Table<i64>,
    /// The exact (m, k) for the scalar path.
    pub requant: Vec<(i32, i32)>,
    /// When every column has the same multiplier (per-tensor weights) and the
    /// vector form fits: (a·mult + round) >> (32 + extra) with mult < 2^31, which
    /// 32-bit lanes compute with two `pmuldq` and a high-half shuffle.
    pub uniform: Option<Uniform>,
    /// The weight zero point when all columns share it.
    pub wzero_all: Option<i32>,
    /// bias and wzero with blocks in `pack::packed_column` order, for kernels
    /// that narrow a block at once (see `pack`).
    pub packed: Option<(Table<i32>, Table<i32>)>,
    pub zero: i32,
    pub lo: i32,
    pub hi: i32,
}

/// Room for a kernel loading 64 columns past the last real one.
const PAD: usize = 128;

impl Epilogue {
    pub fn new(spec: &QGemmSpec) -> Epilogue {
        let za = i64::from(spec.input_zero);
        let mut bias = Vec::with_capacity(spec.n);
        let mut bounds = Vec::with_capacity(spec.n);
        for j in 0..spec.n {
            let w = &spec.weights[j * spec.k..][..spec.k];
            let zw = i64::from(spec.weight_zeros[j]);
            let w_sum: i64 = w.iter().map(|&v| i64::from(v)).sum();
            bias.push((i64::from(spec.bias[j]) - za * w_sum + spec.k as i64 * za * zw) as i32);
            bounds.push(i64::from(spec.bias[j]).abs() + 255 * w.iter().map(|&v| (i64::from(v) - zw).abs()).sum::<i64>());
        }
        Epilogue::from_parts(bias, &spec.weight_zeros, &spec.requant, spec.output, &bounds)
    }

    /// From the folded bias, weight zero points, multipliers, output (zero, lo,
    /// hi), and bounds on the true accumulators (for the uniform form).
    pub fn from_parts(bias: Vec<i32>, weight_zeros: &[i32], requant: &[(i32, i32)], (zero, lo, hi): (i32, i32, i32), bounds: &[i64]) -> Epilogue {
        let padded = |v: Vec<i64>| v.into_iter().chain(std::iter::repeat_n(0, PAD)).collect::<Table<i64>>();
        let forms: Vec<(i64, i64, i64)> = requant.iter().map(|&(m, k)| vector_form(m, k)).collect();
        Epilogue {
            bias: bias.into_iter().chain(std::iter::repeat_n(0, PAD)).collect(),
            wzero: weight_zeros.iter().copied().chain(std::iter::repeat_n(0, PAD)).collect(),
            need_rowsum: weight_zeros.iter().any(|&z| z != 0),
            mult: padded(forms.iter().map(|f| f.0).collect()),
            round: padded(forms.iter().map(|f| f.1).collect()),
            shift: padded(forms.iter().map(|f| f.2).collect()),
            requant: requant.to_vec(),
            uniform: uniform_form(requant, bounds),
            wzero_all: weight_zeros.iter().all(|&z| Some(&z) == weight_zeros.first()).then(|| weight_zeros.first().copied().unwrap_or(0)),
            packed: None,
            zero,
            lo,
            hi,
        }
    }

    /// Adds the packed copies of bias and wzero for `n` columns.
    pub fn pack(&mut self, n: usize) {
        use super::pack::{packed_column, packed_vectors};
        let permute = |v: &[i32]| {
            let mut out = v.to_vec();
            for b0 in (0..n).step_by(64) {
                if let Some(vectors) = packed_vectors(n, b0) {
                    for i in 0..16 * vectors {
                        out[b0 + i] = v[packed_column(b0, vectors, i / 16, i % 16)];
                    }
                }
            }
            Table::from(out)
        };
        self.packed = Some((permute(&self.bias), permute(&self.wzero)));
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

#[derive(Clone, Copy, Debug)]
pub(crate) struct Uniform {
    pub mult: i64,
    pub round: i64,
    /// The shift beyond 32.
    pub extra: u32,
}

/// The uniform vector form, if all columns share (m, k) and no accumulator the
/// layer can produce (|a| ≤ bound) overflows it.
fn uniform_form(requant: &[(i32, i32)], bounds: &[i64]) -> Option<Uniform> {
    let first = *requant.first()?;
    if requant.iter().any(|&mk| mk != first) || bounds.iter().any(|&b| b > i64::from(i32::MAX)) {
        return None;
    }
    let v = crate::plan::rescale::SimdRescale::new(&vec![first; requant.len()], bounds)?;
    let mult = v.mult[0];
    (mult < 1 << 31).then_some(Uniform { mult, round: v.round[0], extra: v.shift - 32 })
}

/// (m, round, shift) with (a·m + round) >> shift = Rescale(a, m, k) for every i32 a.
fn vector_form(m: i32, k: i32) -> (i64, i64, i64) {
    match k {
        k if k >= 63 => (0, 0, 0),
        k if k <= 0 => (i64::from(m) << (-k), 0, 0),
        k => (i64::from(m), 1i64 << (k - 1), i64::from(k)),
    }
}
