//! The x86 f32 GEMM families share one register-tile kernel, written once here
//! and instantiated per instruction set with its vector type and intrinsics: an
//! MR × (lanes·NV) block of FMA accumulators, B streamed from the packed panel
//! one depth step at a time, A broadcast one element per row; then bias, clamp,
//! and a store (`store_part`, the family's own, for a short last vector).

macro_rules! f32_fma_family {
    (
        family: $family:literal,
        features: $features:literal,
        rows: $mr:literal,
        lanes: $lanes:literal,
        vectors: $nv:literal,
        vector: $vec:ty,
        zero: $zero:ident,
        load: $load:ident,
        store: $store:ident,
        splat: $splat:ident,
        fmadd: $fmadd:ident,
        add: $add:ident,
        max: $max:ident,
        min: $min:ident,
        store_part: $store_part:ident $(,)?
    ) => {
        #[cfg(target_arch = "x86_64")]
        use std::arch::x86_64::*;

        use super::FGemmLayer;

        const MR: usize = $mr;
        const LANES: usize = $lanes;
        pub(super) const NV: usize = $nv;
        pub(super) const NR: usize = LANES * NV;

        x86_gemm_entry!(FGemmLayer, f32, f32, $family);

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
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
                    // A short last block runs only the vectors it has.
                    unsafe {
                        match width.div_ceil(LANES) {
                            1 => tile::<1>(l, &rowp, mr, b, j, width, out, ldc),
                            2 => tile::<2>(l, &rowp, mr, b, j, width, out, ldc),
                            3 if NV > 3 => tile::<3>(l, &rowp, mr, b, j, width, out, ldc),
                            _ => tile::<NV>(l, &rowp, mr, b, j, width, out, ldc),
                        }
                    }
                    j += NR;
                }
                r0 += MR;
            }
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        #[inline]
        #[allow(clippy::too_many_arguments)]
        unsafe fn tile<const V: usize>(l: &FGemmLayer, rowp: &[*const f32; MR], mr: usize, mut b: *const f32, col: usize, width: usize, out: *mut f32, ldc: usize) {
            let mut acc = [[$zero(); V]; MR];
            for q in 0..l.k {
                let bv: [$vec; V] = std::array::from_fn(|v| unsafe { $load(b.add(LANES * v)) });
                for r in 0..MR {
                    let av = $splat(unsafe { *rowp[r].add(q) });
                    for v in 0..V {
                        acc[r][v] = $fmadd(av, bv[v], acc[r][v]);
                    }
                }
                b = unsafe { b.add(LANES * V) };
            }
            let (lo, hi) = ($splat(l.lo), $splat(l.hi));
            for (r, row) in acc.iter().enumerate().take(mr) {
                for (v, &x) in row.iter().enumerate() {
                    let bias = unsafe { $load(l.bias.as_ptr().add(col + LANES * v)) };
                    let y = $min($max($add(x, bias), lo), hi);
                    let valid = (width - LANES * v).min(LANES);
                    let dst = unsafe { out.add(r * ldc + LANES * v) };
                    if valid == LANES {
                        unsafe { $store(dst, y) };
                    } else {
                        unsafe { $store_part(dst, y, valid) };
                    }
                }
            }
        }
    };
}
