//! dfq's JIT: compiles a whole `qnn` (int8) or `nn` (f32) function once into
//! native code and runs it on every core.
//!
//! Cranelift generates the graph's code: one loop nest per layer with shapes,
//! strides, zero points and requantization constants as immediates, and a `main`
//! that walks the layers. GEMM-shaped work (1×1 convs, other convs through
//! im2col, linear layers) calls precompiled Rust microkernels picked by CPU
//! features (AVX-512 VNNI, AVX-VNNI, AVX2, portable), with weights packed once
//! and the requantization fused into their epilogue; depthwise convs call
//! precompiled row kernels (AVX-512, AVX2) likewise. Pooling, elementwise ops and
//! depthwise convs on other CPUs are generated directly, 128-bit SIMD over
//! channels. Integer results equal `dfq_interp::run_function`'s bit for bit. See
//! docs/jit.md.
//!
//! ```no_run
//! use dfq_jit::{CompiledFunction, JitOptions};
//! # fn demo(func: &dfq_ir::Function, x: dfq_interp::Tensor) -> Result<(), dfq_jit::JitError> {
//! let f = CompiledFunction::compile(func, &JitOptions::default())?;
//! let outputs = f.run(vec![x])?;
//! # Ok(()) }
//! ```

mod aligned;
mod codegen;
mod compiled;
mod error;
mod kernels;
mod options;
mod plan;
mod runtime;

pub use compiled::{CompileStats, CompiledFunction};
pub use error::JitError;
pub use options::{JitOptions, KernelChoice};
