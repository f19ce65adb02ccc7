//! AVX-512 VNNI: `vpdpbusd zmm`, a 6×64 register tile (24 accumulators, 4 weight
//! vectors), the epilogue in registers (i64 lanes, per-lane variable shift).

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::epilogue::Epilogue;
use crate::aligned::Table;
use super::QGemmLayer;

const MR: usize = 6;
pub(super) const NV: usize = 4;
pub(super) const NR: usize = 16 * NV;

x86_gemm_entry!(QGemmLayer, u8, u8, "AVX-512");

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_impl(l: &QGemmLayer, a: *const u8, lda: usize, rows: usize, col0: usize, col1: usize, c: *mut u8, ldc: usize) {
    let mut r0 = 0;
    while r0 < rows {
        let mr = (rows - r0).min(MR);
        // Missing rows of a short panel repeat the last one; their results are not stored.
        let rowp: [*const u8; MR] = std::array::from_fn(|i| unsafe { a.add((r0 + i.min(mr - 1)) * lda) });
        let mut sums = [0i32; MR];
        if l.epi.need_rowsum {
            for i in 0..mr {
                sums[i] = unsafe { row_sum(rowp[i], l.k) };
            }
        }
        let rows_out = unsafe { c.add(r0 * ldc) };
        let mut j = col0;
        while j < col1 {
            let width = (col1 - j).min(NR);
            let b = unsafe { l.packed.as_ptr().add((j / NR) * l.kp * NR) };
            let t = Tile { rowp: &rowp, mr, b, kq: l.kp / 4, col: j, width, sums: &sums, out: rows_out, ldc };
            unsafe {
                match width.div_ceil(16) {
                    1 => tile::<1>(&t, &l.epi),
                    2 => tile::<2>(&t, &l.epi),
                    3 => tile::<3>(&t, &l.epi),
                    _ => tile::<4>(&t, &l.epi),
                }
            }
            j += NR;
        }
        r0 += MR;
    }
}

/// One register tile: up to MR rows by one column block.
struct Tile<'a> {
    rowp: &'a [*const u8; MR],
    mr: usize,
    b: *const u8,
    kq: usize,
    col: usize,
    width: usize,
    sums: &'a [i32; MR],
    out: *mut u8,
    ldc: usize,
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
#[inline]
unsafe fn tile<const V: usize>(t: &Tile, epi: &Epilogue) {
    let mut acc = [[_mm512_setzero_si512(); V]; MR];
    let mut b = t.b;
    for q in 0..t.kq {
        let bv: [__m512i; V] = std::array::from_fn(|v| unsafe { _mm512_loadu_si512(b.add(64 * v) as *const __m512i) });
        for r in 0..MR {
            let av = _mm512_set1_epi32(unsafe { (t.rowp[r].add(4 * q) as *const i32).read_unaligned() });
            for v in 0..V {
                acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, bv[v]);
            }
        }
        b = unsafe { b.add(64 * V) };
    }
    // The epilogue is out of line: its constants must not take registers from
    // the accumulation loop (24 accumulators + 4 weight vectors of 32).
    let flat: [__m512i; 24] = std::array::from_fn(|i| if i / 4 < MR && i % 4 < V { acc[i / 4][i % 4] } else { _mm512_setzero_si512() });
    unsafe { store_tile(t, epi, &flat, V) };
}

/// The epilogue of a tile's accumulators, [row][vector] in `acc` (4 per row):
/// each vector's constants are loaded once for all rows.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq")]
#[inline(never)]
unsafe fn store_tile(t: &Tile, epi: &Epilogue, acc: &[__m512i; 24], vectors: usize) {
    // By reference: a copy of the constants on the stack, read back as one
    // vector, stalls on store forwarding.
    if let (Some(u), Some(packed), 64 | 32) = (&epi.uniform, &epi.packed, t.width) {
        return unsafe { store_packed(t, epi, u, packed, acc) };
    }
    for v in 0..vectors {
        let col = t.col + 16 * v;
        let e = unsafe { Epi16::load(epi, col) };
        let valid = (t.width - 16 * v).min(16);
        let mask = if valid == 16 { u16::MAX } else { (1u16 << valid) - 1 };
        for r in 0..t.mr {
            let mut a = acc[4 * r + v];
            if epi.need_rowsum {
                a = _mm512_sub_epi32(a, unsafe { rowsum_term(epi, e.wzero, t.sums[r]) });
            }
            let bytes = unsafe { if e.uniform { e.apply::<true>(a) } else { e.apply::<false>(a) } };
            unsafe { _mm_mask_storeu_epi8(t.out.add(r * t.ldc + col) as *mut i8, mask, bytes) };
        }
    }
}

/// z_w·R for 16 columns with weight zero points `wzero` and row sum R.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn rowsum_term(epi: &Epilogue, wzero: __m512i, rowsum: i32) -> __m512i {
    match epi.wzero_all {
        Some(z) => _mm512_set1_epi32(z.wrapping_mul(rowsum)),
        None => _mm512_mullo_epi32(wzero, _mm512_set1_epi32(rowsum)),
    }
}

/// The uniform epilogue of a 64- or 32-column tile whose weights were packed in
/// `pack::packed_column` order: four vectors narrowed by two `packssdw` and a
/// `packuswb` come out in column order, for one 64-byte store per row (two
/// vectors: one `packssdw`, then a `vpermq` gathers the low halves). The zero
/// point is added to the saturated i16 values and the clamp done on bytes, which
/// gives clamp(z + t, lo, hi) for every i32 t, as 0 ≤ lo ≤ hi ≤ 255 and 0 ≤ z ≤ 255.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq")]
unsafe fn store_packed(t: &Tile, epi: &Epilogue, u: &super::epilogue::Uniform, (bias, wzero): &(Table<i32>, Table<i32>), acc: &[__m512i; 24]) {
    let load = |v: &[i32], i: usize| unsafe { _mm512_loadu_si512(v.as_ptr().add(t.col + 16 * i) as *const __m512i) };
    let v = t.width / 16;
    let b: [__m512i; 4] = std::array::from_fn(|i| if i < v { load(bias, i) } else { _mm512_setzero_si512() });
    let z: [__m512i; 4] = std::array::from_fn(|i| if i < v { load(wzero, i) } else { _mm512_setzero_si512() });
    let (m, r, shift) = (_mm512_set1_epi64(u.mult), _mm512_set1_epi64(u.round), _mm512_set1_epi32(u.extra as i32));
    let z16 = _mm512_set1_epi16(epi.zero as i16);
    let (lo, hi) = (_mm512_set1_epi8(epi.lo as u8 as i8), _mm512_set1_epi8(epi.hi as u8 as i8));
    for row in 0..t.mr {
        let q: [__m512i; 4] = std::array::from_fn(|i| {
            if i >= v {
                return _mm512_setzero_si512();
            }
            let mut a = _mm512_add_epi32(acc[4 * row + i], b[i]);
            if epi.need_rowsum {
                a = _mm512_sub_epi32(a, unsafe { rowsum_term(epi, z[i], t.sums[row]) });
            }
            unsafe { uniform_core(a, m, r, shift) }
        });
        let dst = unsafe { t.out.add(row * t.ldc + t.col) };
        let p0 = _mm512_adds_epi16(_mm512_packs_epi32(q[0], q[1]), z16);
        if v == 2 {
            let bytes = _mm512_min_epu8(_mm512_max_epu8(_mm512_packus_epi16(p0, p0), lo), hi);
            let bytes = _mm512_permutexvar_epi64(_mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0), bytes);
            unsafe { _mm256_storeu_si256(dst as *mut __m256i, _mm512_castsi512_si256(bytes)) };
            continue;
        }
        let p1 = _mm512_adds_epi16(_mm512_packs_epi32(q[2], q[3]), z16);
        let bytes = _mm512_min_epu8(_mm512_max_epu8(_mm512_packus_epi16(p0, p1), lo), hi);
        unsafe { _mm512_storeu_si512(dst as *mut __m512i, bytes) };
    }
}

/// (a·m + round) >> (32 + extra) on 16 i32 lanes: even and odd lanes multiplied
/// into i64 (`pmuldq` reads the low dword of each qword), the high dwords blended
/// back into place, then the remaining shift.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
pub(crate) unsafe fn uniform_core(a: __m512i, m: __m512i, round: __m512i, extra: __m512i) -> __m512i {
    let even = _mm512_add_epi64(unsafe { mul_epi32(a, m) }, round);
    let odd = _mm512_add_epi64(unsafe { mul_epi32(_mm512_srli_epi64::<32>(a), m) }, round);
    _mm512_srav_epi32(_mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64::<32>(even), odd), extra)
}

/// `vpmuldq`, written out: LLVM rewrites `_mm512_mul_epi32` by a runtime
/// multiplier into sign extensions and `vpmullq` (or three `vpmuludq`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn mul_epi32(a: __m512i, b: __m512i) -> __m512i {
    let r;
    // SAFETY: a register-only instruction of AVX-512F, enabled here.
    unsafe { std::arch::asm!("vpmuldq {r}, {a}, {b}", r = lateout(zmm_reg) r, a = in(zmm_reg) a, b = in(zmm_reg) b, options(pure, nomem, nostack)) };
    r
}

/// The epilogue constants of 16 columns in registers, for loops over rows or
/// pixels: `apply::<true>` is the uniform form (32-bit lanes; `e.uniform` must be
/// set), `apply::<false>` the per-column form in i64 lanes.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Epi16 {
    pub uniform: bool,
    bias: __m512i,
    pub wzero: __m512i,
    /// Uniform: [0] the multiplier and rounding term (i64 lanes), `shift` the
    /// shift beyond 32 (i32 lanes). Per column: columns 0..8 and 8..16, i64 lanes.
    mult: [__m512i; 2],
    round: [__m512i; 2],
    shift: [__m512i; 2],
    /// Uniform: i32 lanes of z, lo, hi; per column: i64 lanes of z, lo − z, hi − z.
    zero: __m512i,
    lo: __m512i,
    hi: __m512i,
}

#[cfg(target_arch = "x86_64")]
impl Epi16 {
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq")]
    pub(crate) unsafe fn load(e: &Epilogue, col: usize) -> Epi16 {
        let load = |p: *const i32| unsafe { _mm512_loadu_si512(p.add(col) as *const __m512i) };
        let load64 = |v: &[i64], at: usize| unsafe { _mm512_loadu_si512(v.as_ptr().add(at) as *const __m512i) };
        let (bias, wzero) = (load(e.bias.as_ptr()), load(e.wzero.as_ptr()));
        match &e.uniform {
            Some(u) => {
                let (m, r) = (_mm512_set1_epi64(u.mult), _mm512_set1_epi64(u.round));
                Epi16 {
                    uniform: true,
                    bias,
                    wzero,
                    mult: [m; 2],
                    round: [r; 2],
                    shift: [_mm512_set1_epi32(u.extra as i32); 2],
                    zero: _mm512_set1_epi32(e.zero),
                    lo: _mm512_set1_epi32(e.lo),
                    hi: _mm512_set1_epi32(e.hi),
                }
            }
            None => {
                let z = i64::from(e.zero);
                Epi16 {
                    uniform: false,
                    bias,
                    wzero,
                    mult: [load64(&e.mult, col), load64(&e.mult, col + 8)],
                    round: [load64(&e.round, col), load64(&e.round, col + 8)],
                    shift: [load64(&e.shift, col), load64(&e.shift, col + 8)],
                    zero: _mm512_set1_epi64(z),
                    lo: _mm512_set1_epi64(i64::from(e.lo) - z),
                    hi: _mm512_set1_epi64(i64::from(e.hi) - z),
                }
            }
        }
    }

    /// 16 output bytes from accumulators `a` (bias not yet added).
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq")]
    #[inline]
    pub(crate) unsafe fn apply<const UNIFORM: bool>(&self, a: __m512i) -> __m128i {
        let a = _mm512_add_epi32(a, self.bias);
        if UNIFORM {
            let t = _mm512_add_epi32(unsafe { uniform_core(a, self.mult[0], self.round[0], self.shift[0]) }, self.zero);
            _mm512_cvtepi32_epi8(_mm512_min_epi32(_mm512_max_epi32(t, self.lo), self.hi))
        } else {
            // clamp(z + (a·m + round) >> shift) on i64 lanes; `mul_epi32` reads the low
            // (sign-extended) halves, which hold a and m exactly.
            let half = |x: __m512i, i: usize| {
                let p = _mm512_srav_epi64(_mm512_add_epi64(unsafe { mul_epi32(x, self.mult[i]) }, self.round[i]), self.shift[i]);
                _mm512_cvtepi64_epi8(_mm512_add_epi64(_mm512_min_epi64(_mm512_max_epi64(p, self.lo), self.hi), self.zero))
            };
            let lo = half(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(a)), 0);
            let hi = half(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64::<1>(a)), 1);
            _mm_unpacklo_epi64(lo, hi)
        }
    }
}

/// Σ of the first k bytes at p.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn row_sum(p: *const u8, k: usize) -> i32 {
    let zero = _mm512_setzero_si512();
    let mut s = zero;
    let mut i = 0;
    while i + 64 <= k {
        s = _mm512_add_epi64(s, _mm512_sad_epu8(unsafe { _mm512_loadu_si512(p.add(i) as *const __m512i) }, zero));
        i += 64;
    }
    if i < k {
        let tail = unsafe { _mm512_maskz_loadu_epi8((1u64 << (k - i)) - 1, p.add(i) as *const i8) };
        s = _mm512_add_epi64(s, _mm512_sad_epu8(tail, zero));
    }
    _mm512_reduce_add_epi64(s) as i32
}
