//! dfq-mlir's one test binary (`harness = false`).
//!
//! Without the `mlir` feature it runs the pure-Rust TOSA export tests. With it
//! (`cargo test -p dfq-mlir --features mlir`) it also checks dfq against real
//! MLIR 22: every lit-test input dfq accepts and every fixture preset (and its
//! DFQ/int8 pipeline outputs) must verify in MLIR and come back from MLIR's print
//! as the same graph; the TOSA export must pass `mlir-opt-22 --tosa-validate`,
//! lower through `--tosa-to-linalg-pipeline`, and run bit-exact with the
//! interpreter; and `lit-tests/mlir/` runs.
//!
//! The binary is also `dfq-opt`, `dfq-translate` and `dfq-run` when invoked
//! through a symlink of that name: the lit tests run the tools built with the
//! feature without linking MLIR into three more executables (~250 MB each).

mod corpus;
mod harness;
mod tosa;

#[cfg(feature = "mlir")]
mod lit;
#[cfg(feature = "mlir")]
mod roundtrip;

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(code) = run_as_tool() {
        return code;
    }
    let mut tests = Vec::new();
    tosa::register(&mut tests);
    #[cfg(feature = "mlir")]
    {
        roundtrip::register(&mut tests);
        lit::register(&mut tests);
    }
    harness::run(tests)
}

/// Runs as the dfq tool this executable was invoked as (by a symlink's name).
fn run_as_tool() -> Option<ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let name = std::path::Path::new(args.first()?).file_name()?.to_str()?.to_string();
    match name.as_str() {
        "dfq-opt" => Some(dfq_cli::opt::main_with_args(args)),
        "dfq-translate" => Some(dfq_cli::translate::main_with_args(args)),
        "dfq-run" => Some(dfq_cli::run::main_with_args(args)),
        _ => None,
    }
}
