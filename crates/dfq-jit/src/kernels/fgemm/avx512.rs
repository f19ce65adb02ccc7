//! AVX-512F f32: a 6×64 FMA tile.

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

f32_fma_family! {
    family: "AVX-512",
    features: "avx512f",
    rows: 6,
    lanes: 16,
    vectors: 4,
    vector: __m512,
    zero: _mm512_setzero_ps,
    load: _mm512_loadu_ps,
    store: _mm512_storeu_ps,
    splat: _mm512_set1_ps,
    fmadd: _mm512_fmadd_ps,
    add: _mm512_add_ps,
    max: _mm512_max_ps,
    min: _mm512_min_ps,
    store_part: store_part,
}

/// The first `valid` (< 16) lanes of `y`, by a masked store.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn store_part(dst: *mut f32, y: __m512, valid: usize) {
    unsafe { _mm512_mask_storeu_ps(dst, (1u16 << valid) - 1, y) };
}
