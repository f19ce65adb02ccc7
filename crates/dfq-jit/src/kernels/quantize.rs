//! Quantizing an NCHW f32 tensor straight into NHWC u8 (a network's input),
//! with AVX-512: one pass instead of a 128-bit quantize and a byte transpose.
//! Exactly the generated quantize's arithmetic: clamp(round_half_even(x / s),
//! lo − z, hi − z) + z with the f32 division, NaN giving the zero point.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Pixels per item.
pub(crate) const PIXELS: usize = 2048;

pub(crate) struct QuantizeNhwc {
    pub n: usize,
    pub c: usize,
    pub hw: usize,
    pub scale: f32,
    /// Zero point and clamp bounds, stored (u8) domain.
    pub zero: i32,
    pub lo: i32,
    pub hi: i32,
}

impl QuantizeNhwc {
    pub fn items(&self) -> usize {
        self.n * self.hw.div_ceil(PIXELS)
    }
}

/// `kernel(layer, x, y, begin, end)`: items begin..end (image, run of PIXELS pixels).
pub(crate) unsafe extern "C" fn avx512(layer: *const u8, x: *const u8, y: *mut u8, begin: u64, end: u64) {
    // SAFETY: generated code passes a QuantizeNhwc and buffers of its shape.
    let q = unsafe { &*(layer as *const QuantizeNhwc) };
    #[cfg(target_arch = "x86_64")]
    // SAFETY: selected only with the AVX-512 kernel family.
    unsafe {
        items(q, x as *const f32, y, begin as usize, end as usize)
    }
    #[cfg(not(target_arch = "x86_64"))]
    unreachable!("AVX-512 kernel on a non-x86 CPU {:?}{x:?}{y:?}{begin}{end}", q.c);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
unsafe fn items(q: &QuantizeNhwc, x: *const f32, y: *mut u8, begin: usize, end: usize) {
    let per_image = q.hw.div_ceil(PIXELS);
    let scale = _mm512_set1_ps(q.scale);
    let (lo, hi) = (_mm512_set1_ps((q.lo - q.zero) as f32), _mm512_set1_ps((q.hi - q.zero) as f32));
    let zero = _mm512_set1_epi32(q.zero);
    let squeeze = unsafe { squeeze_index(q.c.min(4)) };
    // 16 pixels of one channel: i32 lanes in lo..=hi.
    let quant = |p: *const f32, valid: u16| {
        let v = _mm512_div_ps(unsafe { _mm512_maskz_loadu_ps(valid, p) }, scale);
        let r = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
        // NaN → 0 (as the saturating conversion), then the clamp, exact in f32.
        let r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_UNORD_Q>(r, r), r, _mm512_setzero_ps());
        _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(r, lo), hi)), zero)
    };
    for item in begin..end {
        let (img, p0) = (item / per_image, item % per_image * PIXELS);
        let p1 = (p0 + PIXELS).min(q.hw);
        let src = unsafe { x.add(img * q.c * q.hw) };
        let dst = unsafe { y.add(img * q.hw * q.c) };
        for p in (p0..p1).step_by(16) {
            let n = (p1 - p).min(16);
            let valid = if n == 16 { u16::MAX } else { (1u16 << n) - 1 };
            if q.c <= 4 {
                // Each pixel's channels as the bytes of one i32 lane, then each
                // 128-bit lane's four pixels squeezed to 4·C bytes and stored.
                let mut d = _mm512_setzero_si512();
                for ch in 0..q.c {
                    let v = quant(unsafe { src.add(ch * q.hw + p) }, valid);
                    d = _mm512_or_si512(d, _mm512_sllv_epi32(v, _mm512_set1_epi32(8 * ch as i32)));
                }
                let squeeze = _mm512_shuffle_epi8(d, squeeze);
                for lane in 0..n.div_ceil(4) {
                    let part = match lane {
                        0 => _mm512_castsi512_si128(squeeze),
                        1 => _mm512_extracti32x4_epi32::<1>(squeeze),
                        2 => _mm512_extracti32x4_epi32::<2>(squeeze),
                        _ => _mm512_extracti32x4_epi32::<3>(squeeze),
                    };
                    let bytes = q.c * (n - 4 * lane).min(4);
                    unsafe { _mm_mask_storeu_epi8(dst.add((p + 4 * lane) * q.c) as *mut i8, ((1u32 << bytes) - 1) as u16, part) };
                }
            } else {
                let mut tile = [[0u8; 16]; 64];
                for ch in 0..q.c {
                    let v = quant(unsafe { src.add(ch * q.hw + p) }, valid);
                    let slot = &mut tile[ch % 64];
                    unsafe { _mm_storeu_si128(slot.as_mut_ptr() as *mut __m128i, _mm512_cvtepi32_epi8(v)) };
                    if ch % 64 == 63 || ch + 1 == q.c {
                        let first = ch - ch % 64;
                        for i in 0..n {
                            for (k, t) in tile[..=ch % 64].iter().enumerate() {
                                unsafe { *dst.add((p + i) * q.c + first + k) = t[i] };
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `vpshufb` indices taking the first C bytes of each i32 lane, packed, in
/// every 128-bit lane.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn squeeze_index(c: usize) -> __m512i {
    let mut idx = [-128i8; 64];
    for lane in 0..4 {
        for px in 0..4 {
            for ch in 0..c {
                idx[16 * lane + px * c + ch] = (4 * px + ch) as i8;
            }
        }
    }
    unsafe { _mm512_loadu_si512(idx.as_ptr() as *const __m512i) }
}
