//! Integer GEMM with a fused requantization epilogue:
//! C[r, j] = clamp(z_out + Rescale(bias[j] + Σ_k (A[r, k] − z_a)·(B[j, k] − z_b[j]), M[j]), lo, hi)
//! with A u8 (activations, one row per output pixel, K bytes), B i8 (weights, packed
//! once for the chosen kernel), C u8.
//!
//! The kernels compute the raw Σ A·B with the CPU's u8×i8 dot products and fold
//! the zero points into the epilogue (see [`epilogue`]). All arithmetic before
//! the rescale wraps in i32: the true accumulator fits i32 (the interpreter
//! rejects graphs where it does not), so the wrapped sum equals it.

pub(crate) mod avx2;
pub(crate) mod avx512;
mod avxvnni;
pub(crate) mod epilogue;
mod pack;
mod portable;

use super::dwconv::DwIsa;
use crate::aligned::AlignedBuf;
use crate::options::KernelChoice;
use epilogue::Epilogue;

/// `kernel(layer, a, lda, rows, col_begin, col_end, c, ldc)`: rows `0..rows` of A
/// (stride `lda` bytes) times columns `col_begin..col_end` of the layer's weights
/// into C (stride `ldc` bytes, column 0 at `c`). `col_begin` is a multiple of the
/// kernel's block width, `col_end` one too or the layer's column count. A may be
/// read up to 3 bytes past K in each row (its buffer has slack).
pub(crate) type QGemmFn = unsafe extern "C" fn(*const QGemmLayer, *const u8, usize, usize, usize, usize, *mut u8, usize);

/// What a layer's GEMM needs to know, in the interpreter's terms.
pub(crate) struct QGemmSpec {
    pub n: usize,
    pub k: usize,
    /// Row-major (n, k) stored weights, in the K order of A's rows.
    pub weights: Vec<i8>,
    pub weight_zeros: Vec<i32>,
    pub bias: Vec<i32>,
    pub input_zero: i32,
    /// (multiplier, shift) of M[j], as `dfq_quant::quantize_multiplier` gives them.
    pub requant: Vec<(i32, i32)>,
    /// Output zero point and clamp bounds (storage range ∩ fused activation).
    pub output: (i32, i32, i32),
}

/// A layer's packed weights and epilogue constants, owned by the compiled
/// function; generated code passes its address to the kernel.
pub(crate) struct QGemmLayer {
    pub k: usize,
    /// K rounded up to a multiple of 4 (the dot-product depth); B is zero there.
    pub kp: usize,
    pub packed: AlignedBuf,
    pub epi: Epilogue,
}

/// The integer GEMM kernel families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QKernel {
    Portable,
    Avx2,
    AvxVnni,
    Avx512Vnni,
}

impl QKernel {
    /// The family for a resolved choice (Cranelift tiles are generated, not here).
    pub fn for_choice(choice: KernelChoice) -> Option<QKernel> {
        match choice {
            KernelChoice::Portable => Some(QKernel::Portable),
            KernelChoice::Avx2 => Some(QKernel::Avx2),
            KernelChoice::AvxVnni => Some(QKernel::AvxVnni),
            KernelChoice::Avx512Vnni => Some(QKernel::Avx512Vnni),
            KernelChoice::Auto | KernelChoice::Cranelift => None,
        }
    }

    /// The depthwise row kernel that goes with the family, if any.
    pub fn depthwise(self) -> Option<DwIsa> {
        match self {
            QKernel::Avx512Vnni => Some(DwIsa::Avx512),
            QKernel::Avx2 | QKernel::AvxVnni => Some(DwIsa::Avx2),
            QKernel::Portable => None,
        }
    }

    /// Columns per register block: column chunks are multiples of it.
    pub fn block(self) -> usize {
        match self {
            QKernel::Portable => 16,
            QKernel::Avx2 => avx2::NR,
            QKernel::AvxVnni => avxvnni::NR,
            QKernel::Avx512Vnni => avx512::NR,
        }
    }

    pub fn entry(self) -> QGemmFn {
        match self {
            QKernel::Portable => portable::gemm,
            QKernel::Avx2 => avx2::gemm,
            QKernel::AvxVnni => avxvnni::gemm,
            QKernel::Avx512Vnni => avx512::gemm,
        }
    }

    /// Packs the weights for this family and folds the zero points into the epilogue.
    pub fn build(self, spec: &QGemmSpec) -> QGemmLayer {
        let kp = spec.k.div_ceil(4) * 4;
        let mut epi = Epilogue::new(spec);
        if self == QKernel::Avx512Vnni && epi.uniform.is_some() {
            epi.pack(spec.n);
            let packed = AlignedBuf::from_slice(&pack::quads_packed(&spec.weights, spec.n, spec.k, kp));
            return QGemmLayer { k: spec.k, kp, packed, epi };
        }
        let packed = match self {
            QKernel::Portable => AlignedBuf::from_slice(&spec.weights),
            QKernel::Avx2 => AlignedBuf::from_slice(&pack::pairs_i16(&spec.weights, spec.n, spec.k, kp, 8, avx2::NV)),
            QKernel::AvxVnni => AlignedBuf::from_slice(&pack::quads(&spec.weights, spec.n, spec.k, kp, 8, avxvnni::NV)),
            QKernel::Avx512Vnni => AlignedBuf::from_slice(&pack::quads(&spec.weights, spec.n, spec.k, kp, 16, avx512::NV)),
        };
        QGemmLayer { k: spec.k, kp, packed, epi }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interpreter's formula, literally.
    fn reference(spec: &QGemmSpec, a: &[u8], rows: usize) -> Vec<u8> {
        let mut out = vec![0u8; rows * spec.n];
        let (z, lo, hi) = spec.output;
        for r in 0..rows {
            for j in 0..spec.n {
                let mut acc = i64::from(spec.bias[j]);
                for k in 0..spec.k {
                    acc += (i64::from(a[r * spec.k + k]) - i64::from(spec.input_zero))
                        * (i64::from(spec.weights[j * spec.k + k]) - i64::from(spec.weight_zeros[j]));
                }
                let (m, s) = spec.requant[j];
                out[r * spec.n + j] = (i64::from(z) + dfq_quant::rescale(acc, m, s)).clamp(lo.into(), hi.into()) as u8;
            }
        }
        out
    }

    /// `uniform`: one multiplier for all columns (per-tensor weights: the kernels'
    /// uniform epilogue, and AVX-512's packed column order).
    fn random_spec(seed: u64, n: usize, k: usize, zw: bool, uniform: bool) -> QGemmSpec {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        QGemmSpec {
            n,
            k,
            weights: (0..n * k).map(|_| next() as i8).collect(),
            weight_zeros: (0..n).map(|_| if zw { (next() % 41) as i32 - 20 } else { 0 }).collect(),
            bias: (0..n).map(|_| (next() % 20001) as i32 - 10000).collect(),
            input_zero: (next() % 256) as i32,
            requant: {
                let mut m = || dfq_quant::quantize_multiplier(1e-4 + (next() % 1000) as f64 * 1e-5);
                let first = m();
                (0..n).map(|j| if uniform || j == 0 { first } else { m() }).collect()
            },
            output: ((next() % 256) as i32, 3, 250),
        }
    }

    #[test]
    fn every_kernel_matches_the_formula() {
        let kernels = [QKernel::Portable, QKernel::Avx2, QKernel::AvxVnni, QKernel::Avx512Vnni];
        let supported = |k: QKernel| match k {
            QKernel::Portable => true,
            QKernel::Avx2 => KernelChoice::Avx2.is_supported(),
            QKernel::AvxVnni => KernelChoice::AvxVnni.is_supported(),
            QKernel::Avx512Vnni => KernelChoice::Avx512Vnni.is_supported(),
        };
        for (seed, (rows, n, k)) in [(1, 1, 1), (7, 5, 3), (13, 17, 27), (8, 64, 64), (9, 70, 33), (6, 129, 100), (20, 24, 300), (7, 200, 40), (5, 32, 27), (3, 96, 20)]
            .into_iter()
            .enumerate()
        {
            for (zw, uniform) in [(false, false), (true, false), (false, true), (true, true)] {
                let spec = random_spec(seed as u64 + 1, n, k, zw, uniform);
                let mut a: Vec<u8> = (0..rows * k + 64).map(|i| (i * 37 + seed * 11) as u8).collect();
                let expect = reference(&spec, &a, rows);
                a.truncate(rows * k + 64);
                for kernel in kernels.into_iter().filter(|&k| supported(k)) {
                    let layer = kernel.build(&spec);
                    let mut c = vec![0u8; rows * n];
                    // Two column chunks when there is room, as the generated code may split.
                    let split = if n > kernel.block() { kernel.block() } else { n };
                    for (c0, c1) in [(0, split), (split, n)] {
                        if c0 < c1 {
                            // SAFETY: buffers sized as the kernel contract asks.
                            unsafe { kernel.entry()(&layer, a.as_ptr(), k, rows, c0, c1, c.as_mut_ptr(), n) };
                        }
                    }
                    assert_eq!(c, expect, "{kernel:?} rows {rows} n {n} k {k} zw {zw} uniform {uniform}");
                }
            }
        }
    }
}
