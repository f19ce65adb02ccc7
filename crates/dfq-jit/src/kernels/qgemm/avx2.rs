//! AVX2: A widened to i16 a chunk at a time, `vpmaddwd` against weights packed as
//! i16 pairs, a 4×24 tile; scalar epilogue. (`vpmaddubsw` would be faster but
//! saturates its i16 pair sums, which breaks bit-exactness.)

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::QGemmLayer;

const MR: usize = 4;
pub(super) const NV: usize = 3;
pub(super) const NR: usize = 8 * NV;
/// Depth widened per step (a multiple of 4, as kp is).
const KC: usize = 256;

/// See [`super::QGemmFn`].
pub(super) unsafe extern "C" fn gemm(
    layer: *const QGemmLayer,
    a: *const u8,
    lda: usize,
    rows: usize,
    col0: usize,
    col1: usize,
    c: *mut u8,
    ldc: usize,
) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: selected only when the CPU has AVX2; pointers per the contract.
    unsafe {
        gemm_impl(&*layer, a, lda, rows, col0, col1, c, ldc)
    }
    #[cfg(not(target_arch = "x86_64"))]
    unreachable!("AVX2 kernel on a non-x86 CPU {layer:?}{a:?}{lda}{rows}{col0}{col1}{c:?}{ldc}");
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_impl(l: &QGemmLayer, a: *const u8, lda: usize, rows: usize, col0: usize, col1: usize, c: *mut u8, ldc: usize) {
    let mut wide = [[0i16; KC]; MR];
    let mut r0 = 0;
    while r0 < rows {
        let mr = (rows - r0).min(MR);
        let rowp: [*const u8; MR] = std::array::from_fn(|i| unsafe { a.add((r0 + i.min(mr - 1)) * lda) });
        let sums: [i32; MR] = std::array::from_fn(|i| {
            if l.epi.need_rowsum && i < mr {
                unsafe { std::slice::from_raw_parts(rowp[i], l.k) }.iter().map(|&x| i32::from(x)).sum()
            } else {
                0
            }
        });
        let mut j = col0;
        while j < col1 {
            let width = (col1 - j).min(NR);
            let vectors = width.div_ceil(8);
            let block = unsafe { (l.packed.as_ptr() as *const i16).add((j / NR) * l.kp * NR) };
            let mut acc = [[_mm256_setzero_si256(); NV]; MR];
            for k0 in (0..l.kp).step_by(KC) {
                let kc = (l.kp - k0).min(KC);
                for (r, w) in wide.iter_mut().enumerate() {
                    for (x, slot) in w[..kc].iter_mut().enumerate() {
                        *slot = i16::from(unsafe { *rowp[r].add(k0 + x) });
                    }
                }
                // Pairs of depth: k0 / 2 pairs precede this chunk in each vector's stream.
                let b = unsafe { block.add(k0 / 2 * vectors * 16) };
                unsafe {
                    match vectors {
                        1 => step::<1>(&wide, b, kc, &mut acc),
                        2 => step::<2>(&wide, b, kc, &mut acc),
                        _ => step::<3>(&wide, b, kc, &mut acc),
                    }
                }
            }
            let mut out = [[0i32; NR]; MR];
            for r in 0..MR {
                for v in 0..NV {
                    unsafe { _mm256_storeu_si256(out[r].as_mut_ptr().add(8 * v) as *mut __m256i, acc[r][v]) };
                }
            }
            for r in 0..mr {
                for x in 0..width {
                    unsafe { *c.add((r0 + r) * ldc + j + x) = l.epi.apply(j + x, out[r][x], sums[r]) };
                }
            }
            j += NR;
        }
        r0 += MR;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn step<const V: usize>(wide: &[[i16; KC]; MR], mut b: *const i16, kc: usize, acc: &mut [[__m256i; NV]; MR]) {
    let mut regs = [[_mm256_setzero_si256(); V]; MR];
    for p in 0..kc / 2 {
        let bv: [__m256i; V] = std::array::from_fn(|v| unsafe { _mm256_loadu_si256(b.add(16 * v) as *const __m256i) });
        for r in 0..MR {
            let av = _mm256_set1_epi32(unsafe { (wide[r].as_ptr().add(2 * p) as *const i32).read_unaligned() });
            for v in 0..V {
                regs[r][v] = _mm256_add_epi32(regs[r][v], _mm256_madd_epi16(av, bv[v]));
            }
        }
        b = unsafe { b.add(16 * V) };
    }
    for r in 0..MR {
        for v in 0..V {
            acc[r][v] = _mm256_add_epi32(acc[r][v], regs[r][v]);
        }
    }
}
