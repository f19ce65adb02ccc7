//! `dfq-translate --export-onnx` against onnxruntime: each model is exported, run
//! by `dfq-run --interp` and by onnxruntime on the same input, and the outputs are
//! compared by tools/onnx/ort_check.sh (see docs/onnx.md, "Export"):
//! QDQ models within one quantization step of the output (plus 1e-5 relative
//! slack), FP32 models within 1e-4 relative.
//!
//! The checker needs Python and PyPI (its venv is built on first use). Without
//! them these tests print a notice and pass, unless `DFQ_REQUIRE_ORT=1` (set by
//! CI), which makes that a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(program: &str, args: &[&Path]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Runs a dfq tool and fails the test with its stderr if it fails.
fn tool(program: &str, args: &[&Path]) {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

/// The checker's wrapper once its venv is ready, or `None` (after a notice) when
/// Python or PyPI is unavailable and DFQ_REQUIRE_ORT is not 1.
fn checker() -> Option<&'static Path> {
    static READY: OnceLock<Option<PathBuf>> = OnceLock::new();
    READY
        .get_or_init(|| {
            let script = repo().join("tools/onnx/ort_check.sh");
            let out = Command::new("bash").arg(&script).arg("--setup").output();
            let why = match out {
                Ok(o) if o.status.success() => return Some(script),
                Ok(o) if o.status.code() == Some(3) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                Ok(o) => panic!("ort_check.sh --setup failed ({}):\n{}", o.status, String::from_utf8_lossy(&o.stderr)),
                Err(e) => format!("cannot run bash: {e}"),
            };
            if std::env::var("DFQ_REQUIRE_ORT").as_deref() == Ok("1") {
                panic!("DFQ_REQUIRE_ORT=1 but the onnxruntime checker is unavailable: {why}");
            }
            eprintln!(
                "NOTICE: skipping the onnxruntime comparison ({why}); set DFQ_REQUIRE_ORT=1 to make this an error"
            );
            None
        })
        .as_deref()
}

/// Exports `model`, runs it with `dfq-run --interp` on `input`, and has
/// onnxruntime check the export against that output.
fn check_export(dir: &Path, model: &Path, input: &Path, mode: &str) {
    let stem = model.file_stem().unwrap().to_str().unwrap();
    let onnx = dir.join(format!("{stem}.onnx"));
    let expected = dir.join(format!("{stem}.dfq.npy"));
    tool(env!("CARGO_BIN_EXE_dfq-translate"), &[p("--export-onnx"), model, p("-o"), &onnx]);
    tool(env!("CARGO_BIN_EXE_dfq-run"), &[p("--interp"), model, p("-i"), input, p("-o"), &expected]);
    let Some(checker) = checker() else { return };
    let out = Command::new("bash")
        .arg(checker)
        .args([onnx.as_path(), p("-i"), input, p("-e"), &expected, p("--mode"), p(mode)])
        .output()
        .expect("bash runs");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{report}");
    assert!(out.status.success(), "onnxruntime disagrees with dfq on {} ({}):\n{report}", model.display(), out.status);
}

/// A seeded input uniform in [lo, hi), as a float32 .npy (splitmix64 bits).
fn write_random_input(path: &Path, shape: &[usize], (lo, hi): (f32, f32), seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n: usize = shape.iter().product();
    let data: Vec<f32> = (0..n).map(|_| lo + (hi - lo) * ((next() >> 40) as f32 / (1u64 << 24) as f32)).collect();
    let dims: Vec<String> = shape.iter().map(|d| format!("{d},")).collect();
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}", dims.join(" "));
    // Version 1.0: magic, version, header length; the header is padded to 64 bytes with a final newline.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data.iter().flat_map(|v| v.to_le_bytes()));
    std::fs::write(path, bytes).unwrap();
}

/// The shape in a .npy header, `'shape': (1, 3, 8, 8)`.
fn npy_shape(path: &Path) -> Vec<usize> {
    let bytes = std::fs::read(path).unwrap();
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_string();
    let start = header.find("'shape': (").expect("a .npy header") + "'shape': (".len();
    let end = start + header[start..].find(')').unwrap();
    header[start..end].split(',').filter_map(|d| d.trim().parse().ok()).collect()
}

fn mobilenet_tiny() -> PathBuf {
    repo().join("examples/mobilenet_tiny.mlir")
}

#[test]
fn qdq_mobilenet_tiny_matches_onnxruntime() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("mobilenet_tiny.dfq.mlir");
    tool(env!("CARGO_BIN_EXE_dfq-opt"), &[p("--dfq"), &mobilenet_tiny(), p("-o"), &q]);
    let input = dir.path().join("x.npy");
    write_random_input(&input, &[1, 3, 32, 32], (-2.0, 2.0), 1);
    check_export(dir.path(), &q, &input, "qdq");
}

#[test]
fn fp32_mobilenet_tiny_matches_onnxruntime() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.npy");
    write_random_input(&input, &[1, 3, 32, 32], (-2.0, 2.0), 2);
    check_export(dir.path(), &mobilenet_tiny(), &input, "fp32");
}

/// Every model of the ONNX import tests, imported, exported back as FP32, and
/// quantized (`dfq-opt --quantize`) and exported as QDQ: together they use every
/// operator the importer reads.
#[test]
fn imported_test_models_round_trip_through_onnxruntime() {
    let inputs = repo().join("lit-tests/translate/Inputs");
    let mut names: Vec<String> = std::fs::read_dir(&inputs)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".input.npy").map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "expected the generated test models, found {names:?}");
    let dir = tempfile::tempdir().unwrap();
    for name in &names {
        let input = inputs.join(format!("{name}.input.npy"));
        let shape: Vec<String> = npy_shape(&input).iter().map(usize::to_string).collect();
        let shape = format!("--input-shape={}", shape.join(","));
        let mlir = dir.path().join(format!("{name}.mlir"));
        let onnx = inputs.join(format!("{name}.onnx"));
        tool(
            env!("CARGO_BIN_EXE_dfq-translate"),
            &[p("--import-onnx"), &onnx, p(&shape), p("--input-range=-3,3"), p("-o"), &mlir],
        );
        check_export(dir.path(), &mlir, &input, "fp32");
        // Its output is a float Add of a dequantized tensor and a float Mul:
        // there is no output quantization step to compare within.
        if name == "activations" {
            continue;
        }
        let q = dir.path().join(format!("{name}.q.mlir"));
        tool(env!("CARGO_BIN_EXE_dfq-opt"), &[p("--quantize"), &mlir, p("-o"), &q]);
        check_export(dir.path(), &q, &input, "qdq");
    }
}
