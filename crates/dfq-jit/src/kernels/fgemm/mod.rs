//! f32 GEMM with a fused bias and clamp (a following ReLU/ReLU6/clip):
//! C[r, j] = clamp(bias[j] + Σ_k A[r, k]·B[j, k], lo, hi).

#[macro_use]
mod simd;
mod avx2;
mod avx512;
mod portable;

use crate::aligned::{AlignedBuf, Table};
use crate::options::{has_avx2, has_avx512, KernelChoice};

/// `kernel(layer, a, lda, rows, col_begin, col_end, c, ldc)`, strides in elements;
/// the same contract as [`crate::kernels::qgemm::QGemmFn`].
pub(crate) type FGemmFn = unsafe extern "C" fn(*const FGemmLayer, *const f32, usize, usize, usize, usize, *mut f32, usize);

pub(crate) struct FGemmLayer {
    pub k: usize,
    pub packed: AlignedBuf,
    /// Padded with zeros past n.
    pub bias: Table<f32>,
    pub lo: f32,
    pub hi: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FKernel {
    Portable,
    Avx2,
    Avx512,
}

impl FKernel {
    /// The f32 family matching an integer kernel choice (the best the CPU has).
    pub fn for_choice(choice: KernelChoice) -> FKernel {
        match choice {
            KernelChoice::Portable | KernelChoice::Cranelift => FKernel::Portable,
            _ if has_avx512() => FKernel::Avx512,
            _ if has_avx2() => FKernel::Avx2,
            _ => FKernel::Portable,
        }
    }

    pub fn block(self) -> usize {
        match self {
            FKernel::Portable => 16,
            FKernel::Avx2 => avx2::NR,
            FKernel::Avx512 => avx512::NR,
        }
    }

    pub fn entry(self) -> FGemmFn {
        match self {
            FKernel::Portable => portable::gemm,
            FKernel::Avx2 => avx2::gemm,
            FKernel::Avx512 => avx512::gemm,
        }
    }

    /// `weights`: row-major (n, k).
    pub fn build(self, n: usize, k: usize, weights: &[f32], bias: &[f32], (lo, hi): (f32, f32)) -> FGemmLayer {
        let packed = match self {
            FKernel::Portable => AlignedBuf::from_slice(weights),
            FKernel::Avx2 => AlignedBuf::from_slice(&pack(weights, n, k, 8, avx2::NV)),
            FKernel::Avx512 => AlignedBuf::from_slice(&pack(weights, n, k, 16, avx512::NV)),
        };
        let bias = bias.iter().copied().chain(std::iter::repeat_n(0.0, 128)).collect();
        FGemmLayer { k, packed, bias, lo, hi }
    }
}

/// Blocks of `lanes · nv` columns; per depth step, the block's vectors in turn
/// (a short last block holds only the vectors it needs); zero padding.
fn pack(w: &[f32], n: usize, k: usize, lanes: usize, nv: usize) -> Vec<f32> {
    let block = lanes * nv;
    let mut out = Vec::with_capacity(n.div_ceil(block) * block * k);
    for b0 in (0..n).step_by(block) {
        let vectors = (n - b0).min(block).div_ceil(lanes);
        for kk in 0..k {
            for v in 0..vectors {
                for l in 0..lanes {
                    let col = b0 + v * lanes + l;
                    out.push(if col < n { w[col * k + kk] } else { 0.0 });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kernel_matches_the_formula() {
        for (rows, n, k) in [(1, 1, 1), (7, 5, 3), (13, 17, 27), (8, 64, 64), (9, 70, 33), (6, 129, 100)] {
            let a: Vec<f32> = (0..rows * k).map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0).collect();
            let w: Vec<f32> = (0..n * k).map(|i| ((i * 53 % 97) as f32 - 48.0) / 40.0).collect();
            let bias: Vec<f32> = (0..n).map(|j| j as f32 * 0.1 - 1.0).collect();
            let expect: Vec<f32> = (0..rows * n)
                .map(|i| {
                    let (r, j) = (i / n, i % n);
                    let s: f32 = (0..k).map(|x| a[r * k + x] * w[j * k + x]).sum();
                    (s + bias[j]).clamp(-2.0, 3.0)
                })
                .collect();
            for kernel in [FKernel::Portable, FKernel::Avx2, FKernel::Avx512] {
                if (kernel == FKernel::Avx2 && !has_avx2()) || (kernel == FKernel::Avx512 && !has_avx512()) {
                    continue;
                }
                let layer = kernel.build(n, k, &w, &bias, (-2.0, 3.0));
                let mut c = vec![0.0f32; rows * n];
                // SAFETY: buffers sized per the contract.
                unsafe { kernel.entry()(&layer, a.as_ptr(), k, rows, 0, n, c.as_mut_ptr(), n) };
                for (x, y) in c.iter().zip(&expect) {
                    assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{kernel:?} {rows}x{n}x{k}: {x} vs {y}");
                }
            }
        }
    }
}
