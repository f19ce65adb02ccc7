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

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn export_writes_a_model_that_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny.onnx");
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/mobilenet_tiny.mlir");
    let result = translate(&["--export-onnx", example.to_str().unwrap(), "-o", out.to_str().unwrap()], None);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let module = dfq_onnx::import_onnx(&std::fs::read(&out).unwrap(), &Default::default()).unwrap();
    let f = &module.functions[0];
    let convs = f.ops().filter(|&id| f.op(id).name == "nn.conv2d").count();
    assert_eq!(convs, 11);
    // The same from stdin to stdout.
    let text = std::fs::read(&example).unwrap();
    let piped = translate(&["--export-onnx"], Some(&text));
    assert!(piped.status.success());
    assert_eq!(piped.stdout, std::fs::read(&out).unwrap());
}

#[test]
fn a_failed_export_lists_the_ops_and_leaves_the_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let model = write(
        dir.path(),
        "clamp.mlir",
        r#"func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>
  %c = "qnn.clamp"(%q) {max = 10 : i64, min = 0 : i64} : (tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>
  %d = "qnn.dequantize"(%c) : (tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}
"#,
    );
    let out = write(dir.path(), "model.onnx", "previous content");
    let result = translate(&["--export-onnx", &model, "-o", &out], None);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.starts_with(&format!(
            "dfq-translate: error: {model}: the function uses 1 operation that ONNX export does not support \
             (qnn.clamp) in 1 place:\n  %c = \"qnn.clamp\" at {model}:3:3\nsupported operations: arith.constant,"
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous content");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file is left behind");
}

#[test]
fn export_errors_point_at_the_op() {
    let dir = tempfile::tempdir().unwrap();
    let model = write(
        dir.path(),
        "i32.mlir",
        r#"func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<4xf32>) -> tensor<4x!quant.uniform<i32:f32, 0.001>>
  %d = "qnn.dequantize"(%q) : (tensor<4x!quant.uniform<i32:f32, 0.001>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}
"#,
    );
    let result = translate(&["--export-onnx", &model, "-o", "-"], None);
    assert_eq!(result.status.code(), Some(1));
    assert!(result.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let expected = format!(
        "{model}:2:3: error: 'qnn.quantize' op: quantizing a computed tensor to i32 has no ONNX form \
         (QuantizeLinear writes 8- or 16-bit integers); only constants are quantized to 32 bits\n  \
         %q = \"qnn.quantize\"(%x)"
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    // An invalid module gets the verifier's located diagnostics, as in dfq-opt.
    let bad = write(
        dir.path(),
        "bad.mlir",
        "func.func @main(%x: tensor<2xf32>) -> tensor<3xf32> {\n  return %x : tensor<2xf32>\n}\n",
    );
    let result = translate(&["--export-onnx", &bad], None);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).starts_with(&format!("{bad}:")));
    // Export options need --export-onnx.
    assert_eq!(translate(&["--import-onnx", &model, "--entry", "f"], None).status.code(), Some(2));
}
