//! Precompiled Rust microkernels, called by the generated code through
//! `extern "C"` function pointers: GEMM once per row panel and column chunk,
//! depthwise convs once per output row.
//! The family is chosen once at compile time from the CPU's features.

pub(crate) mod dwconv;
pub(crate) mod fgemm;
pub(crate) mod qgemm;
pub(crate) mod quantize;
