//! Depthwise convolution rows with AVX-512, for CPUs that have it: 16 channels
//! per zmm, each tap one `vpmovzxbd` and one `vpdpwssd` (the i32 lanes hold x
//! and w' in their low halves, so the pair sum is the one product), and the GEMM
//! epilogue. The Cranelift-generated depthwise code (128-bit) is the path for
//! every other CPU; both are bit-exact.
//!
//! Taps in the padding read a row of input zero points instead, so every pixel
//! runs all taps and one folded bias serves all: bias − z_in·Σ_taps w'.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::qgemm::epilogue::Epilogue;
use crate::plan::steps::{Geom, QDepthwise};

pub(crate) struct DwLayer {
    g: Geom,
    /// w' = w − z_w, [tap][channel], padded.
    weights: Vec<i32>,
    /// Input zero points, one per channel, padded.
    zeros: Vec<u8>,
    epi: Epilogue,
}

impl DwLayer {
    pub fn new(g: Geom, op: &QDepthwise) -> DwLayer {
        let taps = g.kh * g.kw;
        let (c, pad) = (g.c, 64);
        let mut weights = vec![0i32; taps * c + pad];
        weights[..taps * c].copy_from_slice(&op.weights);
        let w_sum = |ch: usize| (0..taps).map(|t| i64::from(op.weights[t * c + ch])).sum::<i64>();
        let bias = (0..c).map(|ch| (i64::from(op.bias[ch]) - i64::from(op.input_zero) * w_sum(ch)) as i32).collect();
        let bounds: Vec<i64> = (0..c).map(|ch| i64::from(op.bias[ch]).abs() + 255 * (0..taps).map(|t| i64::from(op.weights[t * c + ch]).abs()).sum::<i64>()).collect();
        let epi = Epilogue::from_parts(bias, &vec![0; c], &op.requant, (op.out.zero, op.out.lo, op.out.hi), &bounds);
        DwLayer { g, weights, zeros: vec![op.input_zero as u8; c + pad], epi }
    }
}

/// Output row `oy` of the image at `image` (NHWC) into `out` (OW·C bytes).
pub(crate) unsafe extern "C" fn row(layer: *const DwLayer, image: *const u8, oy: usize, out: *mut u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: selected only on CPUs with AVX-512 VNNI; buffers per the layer's geometry.
    unsafe {
        row_impl(&*layer, image, oy, out)
    }
    #[cfg(not(target_arch = "x86_64"))]
    unreachable!("AVX-512 depthwise kernel on a non-x86 CPU {layer:?}{image:?}{oy}{out:?}");
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
unsafe fn row_impl(l: &DwLayer, image: *const u8, oy: usize, out: *mut u8) {
    const MAX_TAPS: usize = 64;
    let g = l.g;
    let taps = g.kh * g.kw;
    if taps > MAX_TAPS {
        return unsafe { row_slow(l, image, oy, out) };
    }
    // Input rows of the kernel rows (None in the padding).
    let rows: Vec<Option<*const u8>> = (0..g.kh)
        .map(|ky| {
            let iy = (oy * g.sh + ky * g.dh).wrapping_sub(g.pt);
            (iy < g.h).then(|| unsafe { image.add(iy * g.w * g.c) })
        })
        .collect();
    // Offsets of the taps from a pixel's window origin, for pixels whose window
    // lies inside the input (no pointer per tap to select).
    let mut offsets = [0usize; MAX_TAPS];
    for ky in 0..g.kh {
        for kx in 0..g.kw {
            offsets[ky * g.kw + kx] = (ky * g.dh * g.w + kx * g.dw) * g.c;
        }
    }
    let rows_inside = rows.iter().all(Option::is_some);
    let (xlo, xhi) = g.interior(1);
    let mut ptrs = [std::ptr::null::<u8>(); MAX_TAPS];
    for ox in 0..g.ow {
        let dst = unsafe { out.add(ox * g.c) };
        if rows_inside && (xlo..xhi).contains(&ox) {
            let origin = unsafe { rows[0].unwrap_unchecked().add((ox * g.sw - g.pl) * g.c) };
            for t in 0..taps {
                ptrs[t] = unsafe { origin.add(offsets[t]) };
            }
        } else {
            for (ky, row) in rows.iter().enumerate() {
                for kx in 0..g.kw {
                    let ix = (ox * g.sw + kx * g.dw).wrapping_sub(g.pl);
                    ptrs[ky * g.kw + kx] = match row {
                        Some(r) if ix < g.w => unsafe { r.add(ix * g.c) },
                        _ => l.zeros.as_ptr(),
                    };
                }
            }
        }
        unsafe { pixel(l, &ptrs[..taps], dst) };
    }
}

/// All channels of one output pixel from its taps' input pixels.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")]
#[inline]
unsafe fn pixel(l: &DwLayer, ptrs: &[*const u8], dst: *mut u8) {
    let (c, taps) = (l.g.c, ptrs.len());
    let mut c0 = 0;
    while c0 < c {
        // Two accumulators halve the dependency chain; the epilogue adds the folded bias.
        let (mut a0, mut a1) = (_mm512_setzero_si512(), _mm512_setzero_si512());
        let w = unsafe { l.weights.as_ptr().add(c0) };
        let mut t = 0;
        while t + 1 < taps {
            let x0 = _mm512_cvtepu8_epi32(unsafe { _mm_loadu_si128(ptrs[t].add(c0) as *const __m128i) });
            let x1 = _mm512_cvtepu8_epi32(unsafe { _mm_loadu_si128(ptrs[t + 1].add(c0) as *const __m128i) });
            a0 = _mm512_dpwssd_epi32(a0, x0, unsafe { _mm512_loadu_si512(w.add(t * c) as *const __m512i) });
            a1 = _mm512_dpwssd_epi32(a1, x1, unsafe { _mm512_loadu_si512(w.add((t + 1) * c) as *const __m512i) });
            t += 2;
        }
        if t < taps {
            let x0 = _mm512_cvtepu8_epi32(unsafe { _mm_loadu_si128(ptrs[t].add(c0) as *const __m128i) });
            a0 = _mm512_dpwssd_epi32(a0, x0, unsafe { _mm512_loadu_si512(w.add(t * c) as *const __m512i) });
        }
        let bytes = unsafe { crate::kernels::qgemm::avx512::epilogue16(_mm512_add_epi32(a0, a1), &l.epi, c0, 0) };
        let valid = (c - c0).min(16);
        let mask = if valid == 16 { u16::MAX } else { (1u16 << valid) - 1 };
        unsafe { _mm_mask_storeu_epi8(dst.add(c0) as *mut i8, mask, bytes) };
        c0 += 16;
    }
}

/// Kernels of more than 64 taps: scalar.
#[cfg(target_arch = "x86_64")]
unsafe fn row_slow(l: &DwLayer, image: *const u8, oy: usize, out: *mut u8) {
    let g = l.g;
    for ox in 0..g.ow {
        for c in 0..g.c {
            let mut acc = 0i32;
            for ky in 0..g.kh {
                let iy = (oy * g.sh + ky * g.dh).wrapping_sub(g.pt);
                for kx in 0..g.kw {
                    let ix = (ox * g.sw + kx * g.dw).wrapping_sub(g.pl);
                    let x = if iy < g.h && ix < g.w { unsafe { *image.add((iy * g.w + ix) * g.c + c) } } else { l.zeros[c] };
                    acc = acc.wrapping_add(i32::from(x) * l.weights[(ky * g.kw + kx) * g.c + c]);
                }
            }
            unsafe { *out.add(ox * g.c + c) = l.epi.apply(c, acc, 0) };
        }
    }
}
