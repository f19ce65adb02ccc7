//! Shared plumbing of the dfq command-line tools: reading sources, writing outputs
//! atomically, `--split-input-file`, and `--verify-diagnostics`.

pub mod expected;
pub mod io;
pub mod opt;
pub mod split;
