//! dfq's JIT: compiles a whole `qnn` (int8) or `nn` (f32) function once into
//! native code with Cranelift, and runs it on both cores.

mod aligned;
mod error;
mod kernels;
mod options;

pub use error::JitError;
pub use options::{JitOptions, KernelChoice};
