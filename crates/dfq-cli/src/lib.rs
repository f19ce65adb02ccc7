//! The dfq command-line tools (`dfq-opt`, `dfq-run`) and their shared plumbing:
//! loading and verifying modules, writing outputs atomically,
//! `--split-input-file`, and `--verify-diagnostics`.

pub mod expected;
pub mod io;
pub mod load;
pub mod opt;
pub mod run;
pub mod split;
pub mod translate;
