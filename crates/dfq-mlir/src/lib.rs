//! dfq and upstream MLIR.
//!
//! - [`tosa`]: a lowered int8 module (`dfq-opt --dfq --lower-int8`) as TOSA int8
//!   in NHWC, text that `mlir-opt --tosa-validate` accepts. Pure Rust: no LLVM.
//! - [`bridge`] (cargo feature `mlir`): real MLIR through melior, to verify what
//!   dfq prints and print it back as MLIR does.
//! - [`compare`]: whether two modules are the same graph, up to names and
//!   the spelling of constants.

pub mod compare;
pub mod tosa;

#[cfg(feature = "mlir")]
pub mod bridge;
