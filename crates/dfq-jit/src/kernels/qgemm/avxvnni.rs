//! AVX-VNNI: `vpdpbusd ymm` on a 4×24 tile (12 accumulators, 3 weight vectors:
//! the 16 ymm registers), the AVX2 epilogue.

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::QGemmLayer;

const MR: usize = 4;
pub(super) const NV: usize = 3;
pub(super) const NR: usize = 8 * NV;

x86_gemm_entry!(QGemmLayer, u8, u8, "AVX-VNNI");

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avxvnni")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_impl(l: &QGemmLayer, a: *const u8, lda: usize, rows: usize, col0: usize, col1: usize, c: *mut u8, ldc: usize) {
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
            let b = unsafe { l.packed.as_ptr().add((j / NR) * l.kp * NR) };
            let acc = unsafe {
                match width.div_ceil(8) {
                    1 => tile::<1>(&rowp, b, l.kp / 4),
                    2 => tile::<2>(&rowp, b, l.kp / 4),
                    _ => tile::<3>(&rowp, b, l.kp / 4),
                }
            };
            unsafe { super::avx2::store_tile(&l.epi, &acc, j, width, &sums[..mr], c.add(r0 * ldc), ldc) };
            j += NR;
        }
        r0 += MR;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avxvnni")]
#[inline]
unsafe fn tile<const V: usize>(rowp: &[*const u8; MR], mut b: *const u8, kq: usize) -> [[__m256i; NV]; MR] {
    let mut acc = [[_mm256_setzero_si256(); NV]; MR];
    for q in 0..kq {
        let bv: [__m256i; V] = std::array::from_fn(|v| unsafe { _mm256_loadu_si256(b.add(32 * v) as *const __m256i) });
        for r in 0..MR {
            let av = _mm256_set1_epi32(unsafe { (rowp[r].add(4 * q) as *const i32).read_unaligned() });
            for v in 0..V {
                acc[r][v] = _mm256_dpbusd_avx_epi32(acc[r][v], av, bv[v]);
            }
        }
        b = unsafe { b.add(32 * V) };
    }
    acc
}
