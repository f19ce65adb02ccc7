//! The scalar kernel: any CPU, and the reference the SIMD kernels are tested against.

use super::QGemmLayer;

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
    // SAFETY: the caller passes a live layer and buffers of the documented sizes.
    let l = unsafe { &*layer };
    let w: &[i8] = l.packed.as_slice_of();
    for r in 0..rows {
        let row = unsafe { std::slice::from_raw_parts(a.add(r * lda), l.k) };
        let rowsum: i32 = if l.epi.need_rowsum { row.iter().map(|&x| i32::from(x)).sum() } else { 0 };
        for j in col0..col1 {
            let acc = row.iter().zip(&w[j * l.k..][..l.k]).fold(0i32, |s, (&x, &wv)| s.wrapping_add(i32::from(x) * i32::from(wv)));
            unsafe { *c.add(r * ldc + j) = l.epi.apply(j, acc, rowsum) };
        }
    }
}
