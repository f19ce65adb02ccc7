//! The imported models compute what onnxruntime computes: for every model in
//! lit-tests/translate/Inputs with saved outputs (see
//! tools/onnx/make_test_models.py), dfq's interpreter run on the imported
//! function matches onnxruntime's output.

use std::path::{Path, PathBuf};

use dfq_interp::{run_function, Tensor};
use dfq_onnx::{import_onnx, ImportOptions};

/// ONNX Runtime and the interpreter sum in different orders; outputs are O(1).
const TOLERANCE: f32 = 1e-4;

fn inputs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lit-tests/translate/Inputs")
}

fn read_npy(path: &Path) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let shape = npy.shape().iter().map(|&d| d as usize).collect();
    (shape, npy.into_vec::<f32>().unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Imports `name.onnx` with the saved input's shape, runs it, and returns the
/// largest difference from onnxruntime's output.
fn max_difference(name: &str) -> f32 {
    let dir = inputs_dir();
    let (in_shape, input) = read_npy(&dir.join(format!("{name}.input.npy")));
    let (out_shape, expected) = read_npy(&dir.join(format!("{name}.expected.npy")));
    let bytes = std::fs::read(dir.join(format!("{name}.onnx"))).unwrap();
    let options =
        ImportOptions { input_shape: Some(in_shape.iter().map(|&d| d as i64).collect()), ..Default::default() };
    let module = import_onnx(&bytes, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    let outputs = run_function(&module.functions[0], vec![Tensor::from_f32(in_shape, input)])
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let actual = &outputs[0];
    assert_eq!(actual.shape, out_shape, "{name}: output shape");
    let actual = actual.as_f32().expect("float output");
    // A NaN anywhere counts as an infinite difference.
    let diff = |(a, e): (&f32, &f32)| if (a - e).is_nan() { f32::INFINITY } else { (a - e).abs() };
    actual.iter().zip(&expected).map(diff).fold(0.0, f32::max)
}

#[test]
fn imported_models_match_onnxruntime() {
    let mut names: Vec<String> = std::fs::read_dir(inputs_dir())
        .expect("lit-tests/translate/Inputs exists")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".expected.npy").map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "expected the generated models, found {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let diff = max_difference(name);
        eprintln!("{name}: max |dfq - onnxruntime| = {diff:e}");
        if diff > TOLERANCE {
            failures.push(format!("{name}: {diff:e}"));
        }
    }
    assert!(failures.is_empty(), "outputs differ from onnxruntime by more than {TOLERANCE:e}: {failures:?}");
}
