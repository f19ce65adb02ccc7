//! AVX2: A widened to i16 a chunk at a time, `vpmaddwd` against weights packed as
//! i16 pairs, a 4×24 tile; the epilogue in 8-lane vectors for per-tensor
//! multipliers, scalar otherwise. (`vpmaddubsw` would be faster but saturates its
//! i16 pair sums, which breaks bit-exactness.)

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::epilogue::Epilogue;
use super::QGemmLayer;

const MR: usize = 4;
pub(super) const NV: usize = 3;
pub(super) const NR: usize = 8 * NV;
/// Depth widened per step (a multiple of 4, as kp is).
const KC: usize = 256;

x86_gemm_entry!(QGemmLayer, u8, u8, "AVX2");

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
            unsafe { store_tile(&l.epi, &acc, j, width, &sums[..mr], c.add(r0 * ldc), ldc) };
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

/// The epilogue of a register tile: rows `sums.len()`, columns col..col + width,
/// row r stored at out + r·ldc + col.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(super) unsafe fn store_tile<const V: usize>(epi: &Epilogue, acc: &[[__m256i; V]], col: usize, width: usize, sums: &[i32], out: *mut u8, ldc: usize) {
    for v in 0..width.div_ceil(8) {
        let e = unsafe { Epi8::load(epi, col + 8 * v) };
        for (r, &sum) in sums.iter().enumerate() {
            unsafe { e.store(epi, col + 8 * v, acc[r][v], sum, out.add(r * ldc + col + 8 * v), (width - 8 * v).min(8)) };
        }
    }
}

/// The epilogue constants of 8 columns in registers. Per-tensor multipliers (the
/// uniform form) run in 32-bit lanes; others fall back to scalar code.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Epi8 {
    bias: __m256i,
    wzero: __m256i,
    /// mult, round (i64 lanes), shift beyond 32 (a count), zero, lo, hi (i32 lanes).
    uniform: Option<(__m256i, __m256i, __m128i, __m256i, __m256i, __m256i)>,
}

#[cfg(target_arch = "x86_64")]
impl Epi8 {
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn load(e: &Epilogue, col: usize) -> Epi8 {
        let load = |v: &[i32]| unsafe { _mm256_loadu_si256(v.as_ptr().add(col) as *const __m256i) };
        let uniform = e.uniform.map(|u| {
            let splat = _mm256_set1_epi32;
            (_mm256_set1_epi64x(u.mult), _mm256_set1_epi64x(u.round), _mm_cvtsi32_si128(u.extra as i32), splat(e.zero), splat(e.lo), splat(e.hi))
        });
        Epi8 { bias: load(&e.bias), wzero: load(&e.wzero), uniform }
    }

    /// Output bytes of columns col..col + valid (valid ≤ 8) from raw sums `acc`
    /// and the row sum, to `dst`.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn store(&self, e: &Epilogue, col: usize, acc: __m256i, rowsum: i32, dst: *mut u8, valid: usize) {
        let Some((m, r, shift, zero, lo, hi)) = self.uniform else {
            let mut lanes = [0i32; 8];
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, acc) };
            for (x, &a) in lanes.iter().enumerate().take(valid) {
                unsafe { *dst.add(x) = e.apply(col + x, a, rowsum) };
            }
            return;
        };
        let mut a = _mm256_add_epi32(acc, self.bias);
        if e.need_rowsum {
            a = _mm256_sub_epi32(a, _mm256_mullo_epi32(self.wzero, _mm256_set1_epi32(rowsum)));
        }
        // As the AVX-512 uniform form: even and odd lanes into i64, high dwords back in place.
        let even = _mm256_add_epi64(_mm256_mul_epi32(a, m), r);
        let odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64::<32>(a), m), r);
        let t = _mm256_blend_epi32::<0b1010_1010>(_mm256_srli_epi64::<32>(even), odd);
        let t = _mm256_add_epi32(_mm256_sra_epi32(t, shift), zero);
        let t = _mm256_min_epi32(_mm256_max_epi32(t, lo), hi);
        // In 0..=255: the saturating packs are exact; each 128-bit half holds 4 bytes.
        let p = _mm256_packs_epi32(t, t);
        let q = _mm256_packus_epi16(p, p);
        let bytes = _mm_unpacklo_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256::<1>(q));
        if valid == 8 {
            unsafe { _mm_storel_epi64(dst as *mut __m128i, bytes) };
        } else {
            let all = _mm_cvtsi128_si64(bytes).to_le_bytes();
            unsafe { std::ptr::copy_nonoverlapping(all.as_ptr(), dst, valid) };
        }
    }
}
