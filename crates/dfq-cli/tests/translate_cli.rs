//! dfq-translate as a process: exit codes, stdin, and atomic output.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn model(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lit-tests/translate/Inputs").join(name)
}

fn translate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfq-translate"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dfq-translate runs");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_failed_import_leaves_the_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.mlir");
    std::fs::write(&out, "previous content").unwrap();
    let unsupported = model("unsupported.onnx");
    let result = translate(&["--import-onnx", unsupported.to_str().unwrap(), "-o", out.to_str().unwrap()], None);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("node 'upsample' (Resize)"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous content");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");

    let conv = model("conv_pads.onnx");
    let result = translate(&["--import-onnx", conv.to_str().unwrap(), "-o", out.to_str().unwrap()], None);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("module {\n  func.func @main(%x: tensor<1x3x8x8xf32>)"));
}

#[test]
fn stdin_and_file_inputs_give_the_same_module() {
    let path = model("tiny_mobilenet.onnx");
    let from_file = translate(&["--import-onnx", path.to_str().unwrap(), "--input-range=imagenet"], None);
    let bytes = std::fs::read(&path).unwrap();
    let from_stdin = translate(&["--import-onnx", "-", "--input-range=imagenet"], Some(&bytes));
    assert!(from_file.status.success() && from_stdin.status.success());
    assert!(!from_file.stdout.is_empty());
    assert_eq!(from_file.stdout, from_stdin.stdout);
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(translate(&[], None).status.code(), Some(2), "a translation flag is required");
    let result = translate(&["--import-onnx", "--input-shape", "1,x,3"], None);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("is not a positive dimension"));
}
