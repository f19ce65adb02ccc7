//! Precompiled Rust GEMM microkernels, called by the generated code through
//! `extern "C"` function pointers, one call per row panel and column chunk.
//! The family is chosen once at compile time from the CPU's features.

pub(crate) mod dwconv;
pub(crate) mod fgemm;
pub(crate) mod qgemm;
