//! AVX2 + FMA f32: a 4×24 FMA tile (the 16 ymm registers).

// Register tiles read best indexed by row and vector.
#![allow(clippy::needless_range_loop)]

f32_fma_family! {
    family: "AVX2",
    features: "avx2,fma",
    rows: 4,
    lanes: 8,
    vectors: 3,
    vector: __m256,
    zero: _mm256_setzero_ps,
    load: _mm256_loadu_ps,
    store: _mm256_storeu_ps,
    splat: _mm256_set1_ps,
    fmadd: _mm256_fmadd_ps,
    add: _mm256_add_ps,
    max: _mm256_max_ps,
    min: _mm256_min_ps,
    store_part: store_part,
}

/// The first `valid` (< 8) lanes of `y`, through a stack copy.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn store_part(dst: *mut f32, y: __m256, valid: usize) {
    let mut tmp = [0.0f32; 8];
    unsafe {
        _mm256_storeu_ps(tmp.as_mut_ptr(), y);
        std::ptr::copy_nonoverlapping(tmp.as_ptr(), dst, valid);
    }
}
