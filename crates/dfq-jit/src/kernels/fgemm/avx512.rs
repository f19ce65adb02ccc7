//! AVX-512F f32: a 6×64 FMA tile.

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::FGemmLayer;

const MR: usize = 6;
pub(super) const NV: usize = 4;
pub(super) const NR: usize = 16 * NV;

x86_gemm_entry!(FGemmLayer, f32, f32, "AVX-512");

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_impl(l: &FGemmLayer, a: *const f32, lda: usize, rows: usize, col0: usize, col1: usize, c: *mut f32, ldc: usize) {
    let mut r0 = 0;
    while r0 < rows {
        let mr = (rows - r0).min(MR);
        let rowp: [*const f32; MR] = std::array::from_fn(|i| unsafe { a.add((r0 + i.min(mr - 1)) * lda) });
        let mut j = col0;
        while j < col1 {
            let width = (col1 - j).min(NR);
            let b = unsafe { (l.packed.as_ptr() as *const f32).add((j / NR) * l.k * NR) };
            let out = unsafe { c.add(r0 * ldc + j) };
            unsafe {
                match width.div_ceil(16) {
                    1 => tile::<1>(l, &rowp, mr, b, j, width, out, ldc),
                    2 => tile::<2>(l, &rowp, mr, b, j, width, out, ldc),
                    3 => tile::<3>(l, &rowp, mr, b, j, width, out, ldc),
                    _ => tile::<4>(l, &rowp, mr, b, j, width, out, ldc),
                }
            }
            j += NR;
        }
        r0 += MR;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<const V: usize>(l: &FGemmLayer, rowp: &[*const f32; MR], mr: usize, mut b: *const f32, col: usize, width: usize, out: *mut f32, ldc: usize) {
    let mut acc = [[_mm512_setzero_ps(); V]; MR];
    for q in 0..l.k {
        let bv: [__m512; V] = std::array::from_fn(|v| unsafe { _mm512_loadu_ps(b.add(16 * v)) });
        for r in 0..MR {
            let av = _mm512_set1_ps(unsafe { *rowp[r].add(q) });
            for v in 0..V {
                acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
        }
        b = unsafe { b.add(16 * V) };
    }
    let (lo, hi) = (_mm512_set1_ps(l.lo), _mm512_set1_ps(l.hi));
    for (r, row) in acc.iter().enumerate().take(mr) {
        for (v, &x) in row.iter().enumerate() {
            let bias = unsafe { _mm512_loadu_ps(l.bias.as_ptr().add(col + 16 * v)) };
            let y = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(x, bias), lo), hi);
            let valid = (width - 16 * v).min(16);
            let mask = if valid == 16 { u16::MAX } else { (1u16 << valid) - 1 };
            unsafe { _mm512_mask_storeu_ps(out.add(r * ldc + 16 * v), mask, y) };
        }
    }
}
