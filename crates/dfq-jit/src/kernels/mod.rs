//! Precompiled Rust microkernels, called by the generated code through
//! `extern "C"` function pointers: GEMM once per row panel and column chunk,
//! depthwise convs once per output row.
//! The family is chosen once at compile time from the CPU's features.

/// The `extern "C"` entry of an x86 GEMM kernel family, `gemm`, which hands the
/// contract's arguments to the module's `#[target_feature]` `gemm_impl`. The
/// family is only selected on CPUs with its features, which is what makes the
/// call sound.
macro_rules! x86_gemm_entry {
    ($layer:ty, $a:ty, $c:ty, $family:literal) => {
        /// See the family's function-pointer type (`QGemmFn`, `FGemmFn`).
        pub(super) unsafe extern "C" fn gemm(
            layer: *const $layer,
            a: *const $a,
            lda: usize,
            rows: usize,
            col0: usize,
            col1: usize,
            c: *mut $c,
            ldc: usize,
        ) {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: selected only when the CPU has the family's features; pointers per the contract.
            unsafe {
                gemm_impl(&*layer, a, lda, rows, col0, col1, c, ldc)
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                let _ = (layer, a, lda, rows, col0, col1, c, ldc);
                unreachable!(concat!($family, " kernel on a non-x86 CPU"));
            }
        }
    };
}

pub(crate) mod dwconv;
pub(crate) mod fgemm;
pub(crate) mod qgemm;
pub(crate) mod quantize;
