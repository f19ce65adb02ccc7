//! The op definitions and typed op views build.rs generates from `dialects/*.toml`.
//! Each dialect is a module (`nn`, `qnn`, `arith`, `func`) with one view struct
//! per op, e.g. `nn::Conv2d`, and `OPS`, the list of its definitions.

include!(concat!(env!("OUT_DIR"), "/dialects.rs"));
