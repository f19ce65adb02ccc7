//! Depthwise convolution rows by precompiled kernels, chosen with the GEMM
//! family: AVX-512 (16 channels per zmm, each tap one `vpmovzxbd` and one
//! `vpdpwssd`: the i32 lanes hold x and w' in their low halves, so the pair sum
//! is the one product) or AVX2 (8 channels per ymm, `vpmaddwd` the same way).
//! The Cranelift-generated depthwise code (128-bit) serves the other families;
//! all are bit-exact.
//!
//! Kernel rows in the padding read a row of input zero points instead, and so
//! do border taps, so every pixel runs all taps and one folded bias serves all:
//! bias − z_in·Σ_taps w'. Interior pixels of a 3×3 kernel run channel block by
//! channel block with the block's weights and epilogue constants in registers.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::qgemm::epilogue::Epilogue;
use crate::aligned::Table;
use crate::plan::steps::{Geom, QDepthwise};

/// Kernels larger than this run a scalar loop.
const MAX_TAPS: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DwIsa {
    Avx512,
    Avx2,
}

pub(crate) struct DwLayer {
    g: Geom,
    /// w' = w − z_w, [tap][channel], padded.
    weights: Table<i32>,
    /// A whole input row of zero points (and slack), read for padding.
    zeros: Table<u8>,
    /// Output columns whose window lies inside the input.
    cols: (usize, usize),
    epi: Epilogue,
    /// Weights and bias for 64-channel blocks by byte position (see `avx512::row3x3_bytes`).
    bytes: Option<ByteLayout>,
}

/// For 64-byte blocks split by byte position j within each i32 lane L: byte
/// 64b + 4L + j of a pixel run is channel (64b + 4L + j) mod C (C % 64 == 0: one
/// pixel's blocks; 64 % C == 0: 64 / C whole pixels). Weights [block][tap][j][L]
/// as i32 lanes holding w' in the i16 half that meets the channel's byte (low
/// for j = 0, 1, high for j = 2, 3), and the folded bias [block][j][L].
struct ByteLayout {
    weights: Table<i32>,
    bias: Table<i32>,
}

impl ByteLayout {
    fn new(c: usize, taps: usize, weights: &[i32], bias: &[i32]) -> ByteLayout {
        let half = |w: i32, j: usize| {
            let w = i32::from(w as i16 as u16);
            if j < 2 {
                w
            } else {
                w << 16
            }
        };
        let blocks = c.div_ceil(64);
        let ch = |b: usize, l: usize, j: usize| (64 * b + 4 * l + j) % c;
        let mut lanes = Vec::with_capacity(blocks * 64 * taps);
        for b in 0..blocks {
            for t in 0..taps {
                for j in 0..4 {
                    lanes.extend((0..16).map(|l| half(weights[t * c + ch(b, l, j)], j)));
                }
            }
        }
        let bias = (0..blocks).flat_map(|b| (0..4).flat_map(move |j| (0..16).map(move |l| bias[ch(b, l, j)]))).collect();
        ByteLayout { weights: lanes.into(), bias }
    }
}

/// `row(layer, image, oy, out)`: output row `oy` of the NHWC image at `image`
/// into `out` (OW·C bytes).
pub(crate) type DwRowFn = unsafe extern "C" fn(*const DwLayer, *const u8, usize, *mut u8);

impl DwLayer {
    pub fn new(g: Geom, op: &QDepthwise, isa: DwIsa) -> DwLayer {
        let taps = g.kh * g.kw;
        let (c, pad) = (g.c, 64);
        let mut weights = vec![0i32; taps * c + pad];
        weights[..taps * c].copy_from_slice(&op.weights);
        let w_sum = |ch: usize| (0..taps).map(|t| i64::from(op.weights[t * c + ch])).sum::<i64>();
        let bias = (0..c).map(|ch| (i64::from(op.bias[ch]) - i64::from(op.input_zero) * w_sum(ch)) as i32).collect();
        let bounds: Vec<i64> = (0..c).map(|ch| i64::from(op.bias[ch]).abs() + 255 * (0..taps).map(|t| i64::from(op.weights[t * c + ch]).abs()).sum::<i64>()).collect();
        let epi = Epilogue::from_parts(bias, &vec![0; c], &op.requant, (op.out.zero, op.out.lo, op.out.hi), &bounds);
        let by_bytes = isa == DwIsa::Avx512 && g.kh == 3 && g.kw == 3 && (c % 64 == 0 || (64 % c == 0 && g.sw == 1)) && epi.uniform.is_some();
        let bytes = by_bytes.then(|| ByteLayout::new(c, taps, &weights, &epi.bias));
        DwLayer { g, weights: weights.into(), zeros: vec![op.input_zero as u8; g.w * c + pad].into(), cols: g.interior(1), epi, bytes }
    }

    pub fn entry(isa: DwIsa) -> DwRowFn {
        match isa {
            DwIsa::Avx512 => row_avx512,
            DwIsa::Avx2 => row_avx2,
        }
    }

    /// The input rows of the kernel rows of output row `oy` (the zero row in the padding).
    fn rows(&self, image: *const u8, oy: usize) -> [*const u8; MAX_TAPS] {
        let g = self.g;
        let mut rows = [self.zeros.as_ptr(); MAX_TAPS];
        for (ky, row) in rows.iter_mut().enumerate().take(g.kh) {
            let iy = (oy * g.sh + ky * g.dh).wrapping_sub(g.pt);
            if iy < g.h {
                // SAFETY: row iy of the image.
                *row = unsafe { image.add(iy * g.w * g.c) };
            }
        }
        rows
    }

    /// Channel 0 of each tap's input pixel for output column `ox` (zeros in the
    /// padding); N ≥ the taps.
    #[inline(always)]
    fn taps<const N: usize>(&self, rows: &[*const u8; MAX_TAPS], ox: usize) -> [*const u8; N] {
        let g = self.g;
        let mut ptrs = [self.zeros.as_ptr(); N];
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let ix = (ox * g.sw + kx * g.dw).wrapping_sub(g.pl);
                if ix < g.w {
                    // SAFETY: pixel ix of a row (the zero row is as long as one).
                    ptrs[ky * g.kw + kx] = unsafe { rows[ky].add(ix * g.c) };
                }
            }
        }
        ptrs
    }

    /// Runs a row: `block` (3×3 kernels: given the rows, all pixels) or `pixel`
    /// for each pixel (given its taps).
    #[inline(always)]
    fn run_row(&self, image: *const u8, oy: usize, out: *mut u8, pixel: impl Fn(&[*const u8], *mut u8), block: impl Fn(&[*const u8; MAX_TAPS], *mut u8)) {
        let g = self.g;
        let rows = self.rows(image, oy);
        if self.is_3x3() {
            return block(&rows, out);
        }
        for ox in 0..g.ow {
            // SAFETY: pixel ox of the output row.
            pixel(&self.taps::<MAX_TAPS>(&rows, ox)[..g.kh * g.kw], unsafe { out.add(ox * g.c) });
        }
    }

    /// Border output columns, where some tap reads padding.
    fn border_cols(&self) -> impl Iterator<Item = usize> {
        let (lo, hi) = self.cols;
        (0..lo).chain(hi.max(lo)..self.g.ow)
    }

    /// Kernels of more than MAX_TAPS taps, or kernel rows: scalar.
    fn row_scalar(&self, image: *const u8, oy: usize, out: *mut u8) {
        let g = self.g;
        for ox in 0..g.ow {
            for c in 0..g.c {
                let mut acc = 0i32;
                for ky in 0..g.kh {
                    let iy = (oy * g.sh + ky * g.dh).wrapping_sub(g.pt);
                    for kx in 0..g.kw {
                        let ix = (ox * g.sw + kx * g.dw).wrapping_sub(g.pl);
                        // SAFETY: inside the image.
                        let x = if iy < g.h && ix < g.w { unsafe { *image.add((iy * g.w + ix) * g.c + c) } } else { self.zeros[c] };
                        acc = acc.wrapping_add(i32::from(x) * self.weights[(ky * g.kw + kx) * g.c + c]);
                    }
                }
                // SAFETY: inside the output row.
                unsafe { *out.add(ox * g.c + c) = self.epi.apply(c, acc, 0) };
            }
        }
    }

    /// Whether rows run the 3×3 loop, with a channel block's weights in registers.
    fn is_3x3(&self) -> bool {
        self.g.kh == 3 && self.g.kw == 3
    }
}

unsafe extern "C" fn row_avx512(layer: *const DwLayer, image: *const u8, oy: usize, out: *mut u8) {
    // SAFETY: the layer outlives the compiled code that passes it.
    let l = unsafe { &*layer };
    #[cfg(target_arch = "x86_64")]
    if l.g.kh * l.g.kw <= MAX_TAPS {
        // SAFETY: selected only on CPUs with AVX-512 (checked when the kernel
        // family was chosen); buffers per the layer's geometry, with slack.
        let pixel = |ptrs: &[*const u8], dst| unsafe { avx512::pixel(l, ptrs, dst) };
        if let Some(bytes) = &l.bytes {
            let block = |rows: &[*const u8; MAX_TAPS], dst| unsafe { avx512::row3x3_bytes(l, bytes, rows, dst) };
            return l.run_row(image, oy, out, pixel, block);
        }
        let block = |rows: &[*const u8; MAX_TAPS], dst| unsafe { avx512::row3x3(l, rows, dst, l.cols.0) };
        return l.run_row(image, oy, out, pixel, block);
    }
    l.row_scalar(image, oy, out)
}

unsafe extern "C" fn row_avx2(layer: *const DwLayer, image: *const u8, oy: usize, out: *mut u8) {
    // SAFETY: as row_avx512.
    let l = unsafe { &*layer };
    #[cfg(target_arch = "x86_64")]
    if l.g.kh * l.g.kw <= MAX_TAPS {
        // SAFETY: selected only on CPUs with AVX2.
        let pixel = |ptrs: &[*const u8], dst| unsafe { avx2::pixel(l, ptrs, dst) };
        let block = |rows: &[*const u8; MAX_TAPS], dst| unsafe { avx2::row3x3(l, rows, dst) };
        return l.run_row(image, oy, out, pixel, block);
    }
    l.row_scalar(image, oy, out)
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::*;
    use crate::kernels::qgemm::avx512::Epi16;

    fn mask16(valid: usize) -> u16 {
        if valid >= 16 {
            u16::MAX
        } else {
            (1u16 << valid) - 1
        }
    }

    /// 16 channels of one tap: bytes widened to i32 lanes.
    #[target_feature(enable = "avx512f,avx512bw")]
    #[inline]
    unsafe fn load16(p: *const u8) -> __m512i {
        _mm512_cvtepu8_epi32(unsafe { _mm_loadu_si128(p as *const __m128i) })
    }

    /// All channels of one output pixel from its taps' input pixels.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
    pub(super) unsafe fn pixel(l: &DwLayer, ptrs: &[*const u8], dst: *mut u8) {
        let c = l.g.c;
        for c0 in (0..c).step_by(16) {
            // Two accumulators halve the dependency chain; the epilogue adds the folded bias.
            let (mut a0, mut a1) = (_mm512_setzero_si512(), _mm512_setzero_si512());
            let w = unsafe { l.weights.as_ptr().add(c0) };
            for (t, &p) in ptrs.iter().enumerate() {
                let x = unsafe { load16(p.add(c0)) };
                let wt = unsafe { _mm512_loadu_si512(w.add(t * c) as *const __m512i) };
                if t % 2 == 0 {
                    a0 = _mm512_dpwssd_epi32(a0, x, wt);
                } else {
                    a1 = _mm512_dpwssd_epi32(a1, x, wt);
                }
            }
            let e = unsafe { Epi16::load(&l.epi, c0) };
            let a = _mm512_add_epi32(a0, a1);
            let bytes = unsafe { if e.uniform { e.apply::<true>(a) } else { e.apply::<false>(a) } };
            unsafe { _mm_mask_storeu_epi8(dst.add(c0) as *mut i8, mask16(c - c0), bytes) };
        }
    }

    /// A row of a 3×3 kernel, channel block by channel block.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
    /// Interior columns before `from` are left out (another kernel did them).
    pub(super) unsafe fn row3x3(l: &DwLayer, rows: &[*const u8; MAX_TAPS], out: *mut u8, from: usize) {
        let e = l.epi.uniform.is_some();
        unsafe { if e { row3x3_as::<true>(l, rows, out, from) } else { row3x3_as::<false>(l, rows, out, from) } }
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
    unsafe fn row3x3_as<const UNIFORM: bool>(l: &DwLayer, rows: &[*const u8; MAX_TAPS], out: *mut u8, from: usize) {
        let g = l.g;
        let c = g.c;
        let (lo, hi) = l.cols;
        // Byte offsets of the taps from a pixel's first window column.
        let dx = [0, g.dw * c, 2 * g.dw * c];
        let step = g.sw * c;
        for c0 in (0..c).step_by(16) {
            let w: [__m512i; 9] = std::array::from_fn(|t| unsafe { _mm512_loadu_si512(l.weights.as_ptr().add(t * c + c0) as *const __m512i) });
            let e = unsafe { Epi16::load(&l.epi, c0) };
            let mask = mask16(c - c0);
            let pixel = |taps: [*const u8; 9], ox: usize| {
                let (mut a0, mut a1) = (_mm512_setzero_si512(), _mm512_setzero_si512());
                for t in (0..9).step_by(2) {
                    a0 = _mm512_dpwssd_epi32(a0, unsafe { load16(taps[t]) }, w[t]);
                    if t + 1 < 9 {
                        a1 = _mm512_dpwssd_epi32(a1, unsafe { load16(taps[t + 1]) }, w[t + 1]);
                    }
                }
                let bytes = unsafe { e.apply::<UNIFORM>(_mm512_add_epi32(a0, a1)) };
                unsafe { _mm_mask_storeu_epi8(out.add(ox * c + c0) as *mut i8, mask, bytes) };
            };
            for ox in l.border_cols() {
                let taps = l.taps::<9>(rows, ox);
                pixel(std::array::from_fn(|t| unsafe { taps[t].add(c0) }), ox);
            }
            if from < hi {
                let first = (lo * g.sw - g.pl) * c + c0;
                let r: [*const u8; 3] = std::array::from_fn(|ky| unsafe { rows[ky].add(first) });
                for ox in from.max(lo)..hi {
                    let at = (ox - lo) * step;
                    pixel(std::array::from_fn(|t| unsafe { r[t / 3].add(at + dx[t % 3]) }), ox);
                }
            }
        }
    }

    /// A row of a 3×3 kernel 64 bytes at a time (see `ByteLayout`; with 64 % C ==
    /// 0, runs of whole interior pixels, the rest by `row3x3`), with no shuffles
    /// (the lane-crossing `vpmovzxbd` limits `row3x3`): the 64 input
    /// bytes of a tap, masked to bytes 0 and 2 of each i32 lane (and shifted for
    /// 1 and 3), are i16 pairs for `vpdpwssd` against weights with w' in the
    /// matching half and 0 in the other, one accumulator per byte position.
    /// The clamped results are ORed back into their bytes, in channel order.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
    pub(super) unsafe fn row3x3_bytes(l: &DwLayer, by: &ByteLayout, rows: &[*const u8; MAX_TAPS], out: *mut u8) {
        let Some(u) = &l.epi.uniform else { return };
        let g = l.g;
        let c = g.c;
        let (lo, hi) = l.cols;
        let dx = [0, g.dw * c, 2 * g.dw * c];
        let step = g.sw * c;
        let low = _mm512_set1_epi32(0x00ff_00ff);
        let (m, r, shift) = (_mm512_set1_epi64(u.mult), _mm512_set1_epi64(u.round), _mm512_set1_epi32(u.extra as i32));
        let (z, qlo, qhi) = (_mm512_set1_epi32(l.epi.zero), _mm512_set1_epi32(l.epi.lo), _mm512_set1_epi32(l.epi.hi));
        // Pixels per 64-byte run (1 when C % 64 == 0) and the interior runs.
        let per = (64 / c).max(1);
        let runs = (hi.saturating_sub(lo)) / per;
        for b in 0..c.div_ceil(64) {
            let c0 = 64 * b;
            let w = unsafe { by.weights.as_ptr().add(b * 9 * 64) };
            let bias: [__m512i; 4] = std::array::from_fn(|j| unsafe { _mm512_loadu_si512(by.bias.as_ptr().add(64 * b + 16 * j) as *const __m512i) });
            let pixel = |taps: [*const u8; 9], ox: usize| {
                let mut acc = bias;
                for (t, &p) in taps.iter().enumerate() {
                    let x = unsafe { _mm512_loadu_si512(p as *const __m512i) };
                    let even = _mm512_and_si512(x, low);
                    let odd = _mm512_and_si512(_mm512_srli_epi32::<8>(x), low);
                    let wt = |j: usize| unsafe { _mm512_loadu_si512(w.add((4 * t + j) * 16) as *const __m512i) };
                    acc[0] = _mm512_dpwssd_epi32(acc[0], even, wt(0));
                    acc[1] = _mm512_dpwssd_epi32(acc[1], odd, wt(1));
                    acc[2] = _mm512_dpwssd_epi32(acc[2], even, wt(2));
                    acc[3] = _mm512_dpwssd_epi32(acc[3], odd, wt(3));
                }
                let q: [__m512i; 4] = std::array::from_fn(|j| {
                    let t = _mm512_add_epi32(unsafe { crate::kernels::qgemm::avx512::uniform_core(acc[j], m, r, shift) }, z);
                    _mm512_min_epi32(_mm512_max_epi32(t, qlo), qhi)
                });
                let bytes = _mm512_or_si512(
                    _mm512_or_si512(q[0], _mm512_slli_epi32::<8>(q[1])),
                    _mm512_or_si512(_mm512_slli_epi32::<16>(q[2]), _mm512_slli_epi32::<24>(q[3])),
                );
                unsafe { _mm512_storeu_si512(out.add(ox * c + c0) as *mut __m512i, bytes) };
            };
            if per == 1 {
                for ox in l.border_cols() {
                    let taps = l.taps::<9>(rows, ox);
                    pixel(std::array::from_fn(|t| unsafe { taps[t].add(c0) }), ox);
                }
            }
            if runs > 0 {
                let first = (lo * g.sw - g.pl) * c + c0;
                let r: [*const u8; 3] = std::array::from_fn(|ky| unsafe { rows[ky].add(first) });
                for ox in (lo..lo + runs * per).step_by(per) {
                    let at = (ox - lo) * step;
                    pixel(std::array::from_fn(|t| unsafe { r[t / 3].add(at + dx[t % 3]) }), ox);
                }
            }
        }
        if per > 1 {
            // Border columns and the interior columns short of a whole run.
            unsafe { row3x3(l, rows, out, lo + runs * per) };
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::*;
    use crate::kernels::qgemm::avx2::Epi8;

    /// 8 channels of one tap: bytes widened to i32 lanes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn load8(p: *const u8) -> __m256i {
        _mm256_cvtepu8_epi32(unsafe { _mm_loadl_epi64(p as *const __m128i) })
    }

    /// x·w' per lane: `vpmaddwd` of (x, 0) and (w', ·) pairs.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn mac(acc: __m256i, x: __m256i, w: __m256i) -> __m256i {
        _mm256_add_epi32(acc, _mm256_madd_epi16(x, w))
    }

    /// All channels of one output pixel from its taps' input pixels.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn pixel(l: &DwLayer, ptrs: &[*const u8], dst: *mut u8) {
        let c = l.g.c;
        for c0 in (0..c).step_by(8) {
            let mut acc = _mm256_setzero_si256();
            let w = unsafe { l.weights.as_ptr().add(c0) };
            for (t, &p) in ptrs.iter().enumerate() {
                acc = unsafe { mac(acc, load8(p.add(c0)), _mm256_loadu_si256(w.add(t * c) as *const __m256i)) };
            }
            unsafe { Epi8::load(&l.epi, c0).store(&l.epi, c0, acc, 0, dst.add(c0), (c - c0).min(8)) };
        }
    }

    /// A row of a 3×3 kernel, channel block by channel block.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn row3x3(l: &DwLayer, rows: &[*const u8; MAX_TAPS], out: *mut u8) {
        let g = l.g;
        let c = g.c;
        let (lo, hi) = l.cols;
        let dx = [0, g.dw * c, 2 * g.dw * c];
        let step = g.sw * c;
        for c0 in (0..c).step_by(8) {
            let w: [__m256i; 9] = std::array::from_fn(|t| unsafe { _mm256_loadu_si256(l.weights.as_ptr().add(t * c + c0) as *const __m256i) });
            let e = unsafe { Epi8::load(&l.epi, c0) };
            let valid = (c - c0).min(8);
            let pixel = |taps: [*const u8; 9], ox: usize| {
                let mut acc = _mm256_setzero_si256();
                for t in 0..9 {
                    acc = unsafe { mac(acc, load8(taps[t]), w[t]) };
                }
                unsafe { e.store(&l.epi, c0, acc, 0, out.add(ox * c + c0), valid) };
            };
            for ox in l.border_cols() {
                let taps = l.taps::<9>(rows, ox);
                pixel(std::array::from_fn(|t| unsafe { taps[t].add(c0) }), ox);
            }
            if lo < hi {
                let first = (lo * g.sw - g.pl) * c + c0;
                let r: [*const u8; 3] = std::array::from_fn(|ky| unsafe { rows[ky].add(first) });
                for ox in lo..hi {
                    let at = (ox - lo) * step;
                    pixel(std::array::from_fn(|t| unsafe { r[t / 3].add(at + dx[t % 3]) }), ox);
                }
            }
        }
    }
}
