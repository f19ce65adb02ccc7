//! The command-line tools on the bad-input catalogue of docs/hardening.md: each
//! input gets exit status 1 and a diagnostic that says where and what, never a
//! panic, an abort or an attempt to allocate an absurd tensor. (Cases covered
//! elsewhere are listed in docs/hardening.md with their tests.)

use std::path::Path;
use std::process::{Command, Output};

fn run(bin: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin).args(args).current_dir(dir).output().expect("the tool starts")
}

fn dfq_opt(dir: &Path, args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_dfq-opt"), dir, args)
}

fn dfq_run(dir: &Path, args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_dfq-run"), dir, args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit status 1 (not a crash: 101 is a panic, signals have no code) and no backtrace.
fn assert_refused(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked") && !err.contains("stack backtrace"), "{err}");
    err
}

const HUGE: &str = "func.func @main(%x: tensor<1099511627776xf32>) -> tensor<1099511627776xf32> {
  %c = arith.constant dense<1.0> : tensor<1099511627776xf32>
  %0 = \"nn.add\"(%x, %c) : (tensor<1099511627776xf32>, tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  return %0 : tensor<1099511627776xf32>
}
";

#[test]
fn a_2_pow_40_element_model_is_refused_before_anything_allocates_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("huge.mlir"), HUGE).unwrap();
    // Before, dfq-opt printed it back, and dfq-run aborted asking for 4 TiB.
    for out in [
        dfq_opt(dir.path(), &["huge.mlir", "--canonicalize"]),
        dfq_run(dir.path(), &["huge.mlir", "--random-input"]),
        dfq_run(dir.path(), &["huge.mlir", "--random-input", "--interp"]),
    ] {
        let err = assert_refused(&out);
        assert!(
            err.starts_with("huge.mlir:1:21: error: 'tensor<1099511627776xf32>' has 1099511627776 elements; dfq supports at most 2147483648 (2^31) elements per tensor\n"),
            "{err}"
        );
    }
}

#[test]
fn dimensions_whose_product_overflows_are_refused() {
    // dfq-run once panicked here multiplying the dimensions for a random input.
    let dir = tempfile::tempdir().unwrap();
    let text = "func.func @main(%x: tensor<4294967296x4294967296x16xf32>) -> tensor<4294967296x4294967296x16xf32> {\n  return %x : tensor<4294967296x4294967296x16xf32>\n}\n";
    std::fs::write(dir.path().join("ovf.mlir"), text).unwrap();
    let err = assert_refused(&dfq_run(dir.path(), &["ovf.mlir", "--random-input"]));
    assert!(err.starts_with("ovf.mlir:1:21: error: the product of the dimensions of 'tensor<4294967296x4294967296x16xf32>' overflows 64 bits"), "{err}");
}

/// 64 channels of 256x256 f32: 16 MiB per value, two alive at once.
const MID: &str = "func.func @main(%x: tensor<1x64x256x256xf32>) -> tensor<1x64x256x256xf32> {
  %0 = \"nn.relu\"(%x) : (tensor<1x64x256x256xf32>) -> tensor<1x64x256x256xf32>
  %1 = \"nn.relu\"(%0) : (tensor<1x64x256x256xf32>) -> tensor<1x64x256x256xf32>
  return %1 : tensor<1x64x256x256xf32>
}
";

#[test]
fn dfq_run_refuses_a_model_over_its_memory_limits_before_reading_inputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mid.mlir"), MID).unwrap();
    // The input file does not exist: the limits are checked before it is read.
    let err = assert_refused(&dfq_run(dir.path(), &["mid.mlir", "-i", "missing.npy", "--max-memory", "20M"]));
    assert!(
        err.starts_with("mid.mlir:1:1: error: running '@main' needs about 32.00 MiB (constants plus the largest set of values alive at once), more than --max-memory 20.00 MiB; nothing was run\n"),
        "{err}"
    );
    let err = assert_refused(&dfq_run(dir.path(), &["mid.mlir", "--random-input", "--max-tensor-size", "1M"]));
    assert!(
        err.starts_with("mid.mlir:1:17: error: argument #0 ('tensor<1x64x256x256xf32>') takes 16.00 MiB, more than --max-tensor-size 1.00 MiB"),
        "{err}"
    );
    // Within the limits it runs.
    let out = dfq_run(dir.path(), &["mid.mlir", "--random-input", "--interp", "--max-memory", "40M", "--max-tensor-size", "16M"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A size that is not one is a command-line mistake.
    let out = dfq_run(dir.path(), &["mid.mlir", "--random-input", "--max-memory", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'lots' is not a size (e.g. 512M, 4G, 1048576)"), "{}", stderr(&out));
}

#[test]
fn nan_weights_stop_dfq_opt_at_the_constant_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = "func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[0x7FC00000]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %0 = \"nn.conv2d\"(%x, %w, %b) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}
";
    std::fs::write(dir.path().join("nan.mlir"), text).unwrap();
    let err = assert_refused(&dfq_opt(dir.path(), &["nan.mlir", "--dfq", "-o", "out.mlir"]));
    assert!(
        err.starts_with("nan.mlir:2:3: error: fold-bn: constant holds NaN at element 1 (index [0, 1, 0, 0]) of 'tensor<2x2x1x1xf32>'; data-free quantization needs finite weights"),
        "{err}"
    );
    assert!(err.contains("\n  %w = arith.constant dense<[[[[1.0]], [[0x7FC00000]]]"), "no source line: {err}");
    assert!(!dir.path().join("out.mlir").exists());
}

#[test]
fn a_100k_op_model_goes_through_dfq_opt_and_dfq_run() {
    let dir = tempfile::tempdir().unwrap();
    let text = dfq_fixtures::stress::relu_chain(100_000, "");
    std::fs::write(dir.path().join("long.mlir"), &text).unwrap();
    // dfq-opt used to overflow its stack verifying this (an abort, signal 6).
    let out = dfq_opt(dir.path(), &["long.mlir", "--canonicalize", "-o", "out.mlir"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = dfq_run(dir.path(), &["out.mlir", "--random-input", "--interp"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("result #0: tensor<4xf32>"));
}

#[test]
fn a_npy_header_announcing_an_absurd_shape_is_refused_without_allocating() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.mlir"), "func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n  return %x : tensor<4xf32>\n}\n").unwrap();
    let mut header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }".to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.bytes());
    bytes.extend([0u8; 16]);
    std::fs::write(dir.path().join("huge.npy"), bytes).unwrap();
    let err = assert_refused(&dfq_run(dir.path(), &["m.mlir", "-i", "huge.npy"]));
    assert!(
        err.starts_with("dfq-run: error: 'huge.npy' is not a valid .npy file: its header announces 4398046511104 bytes of data (1099511627776 float32), but 16 follow"),
        "{err}"
    );
}
