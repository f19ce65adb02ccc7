//! The scalar f32 kernel.

use super::FGemmLayer;

/// See [`super::FGemmFn`].
pub(super) unsafe extern "C" fn gemm(
    layer: *const FGemmLayer,
    a: *const f32,
    lda: usize,
    rows: usize,
    col0: usize,
    col1: usize,
    c: *mut f32,
    ldc: usize,
) {
    // SAFETY: the caller passes a live layer and buffers of the documented sizes.
    let l = unsafe { &*layer };
    let w: &[f32] = l.packed.as_slice_of();
    for r in 0..rows {
        let row = unsafe { std::slice::from_raw_parts(a.add(r * lda), l.k) };
        for j in col0..col1 {
            let s = row.iter().zip(&w[j * l.k..][..l.k]).fold(l.bias[j], |s, (&x, &wv)| s + x * wv);
            unsafe { *c.add(r * ldc + j) = s.max(l.lo).min(l.hi) };
        }
    }
}
