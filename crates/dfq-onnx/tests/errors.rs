//! What the importer refuses, and how it says so.

mod common;

use common::{int, ints, Model};
use dfq_onnx::proto::data_type;
use dfq_onnx::{import_onnx, ImportError, ImportOptions, InputRange};

#[test]
fn every_unsupported_node_is_listed() {
    let mut model = Model::new(13)
        .input("x", &[1, 2, 4, 4])
        .named_node("shape_of_x", "Shape", &["x"], &["s"], vec![])
        .node("Relu", &["x"], &["r"], vec![])
        .named_node("up", "Resize", &["r", "", "scales"], &["u"], vec![])
        .node("Gather", &["s", "i"], &["g"], vec![])
        .named_node("resize_again", "Resize", &["u"], &["y"], vec![])
        .output("y");
    let err = model.import_err();
    assert!(err.starts_with("the model uses 3 unsupported operators (Gather, Resize, Shape) in 4 nodes:\n"), "{err}");
    assert!(err.contains("\n  node 'shape_of_x' (Shape)\n  node 'up' (Resize)\n  node 'gather_3' (Gather)\n  node 'resize_again' (Resize)\n"), "{err}");
    assert!(err.contains("supported operators: Add, AveragePool, "), "{err}");
    // Unnamed nodes are named by position.
    model = Model::new(13).input("x", &[1]).named_node("", "Erf", &["x"], &["y"], vec![]).output("y");
    assert!(model.import_err().contains("  node #0 (Erf)"));
}

#[test]
fn not_an_onnx_file() {
    for bytes in [&b"module {\n}\n"[..], b"", b"\x08\x07"] {
        let err = import_onnx(bytes, &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, ImportError::NotOnnx(_)), "{err}");
        assert!(err.to_string().starts_with("not an ONNX model: "), "{err}");
    }
}

#[test]
fn dynamic_batch_needs_an_input_shape() {
    let model =
        Model::new(13).input_symbolic("x", &["batch", "3", "8", "8"]).node("Relu", &["x"], &["y"], vec![]).output("y");
    assert_eq!(
        model.import_err(),
        "input 'x' has the dynamic shape [batch, 3, 8, 8]; give a static one with --input-shape, e.g. --input-shape 1,3,8,8"
    );
    let options = ImportOptions { input_shape: Some(vec![2, 3, 8, 8]), ..Default::default() };
    let text = model.import_with(&options).unwrap();
    assert!(text.contains("func.func @main(%x: tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>"), "{text}");
    let options = ImportOptions { input_shape: Some(vec![1, 3, 9, 9]), ..Default::default() };
    let err = model.import_with(&options).unwrap_err().to_string();
    assert_eq!(
        err,
        "--input-shape [1, 3, 9, 9] conflicts with the shape [batch, 3, 8, 8] that the model declares for input 'x'"
    );
}

#[test]
fn input_range_is_recorded_and_verifies() {
    let model = Model::new(13).input("x", &[1, 3]).node("Relu", &["x"], &["y"], vec![]).output("y");
    let options = ImportOptions { input_range: Some(InputRange::efficientnet()), ..Default::default() };
    let text = model.import_with(&options).unwrap();
    assert!(text.contains("func.func @main(%x: tensor<1x3xf32> {dfq.range = [-0.9921875, 1.0]})"), "{text}");
}

#[test]
fn a_node_error_names_the_node() {
    let err = Model::new(13)
        .input("x", &[1, 4])
        .input("w", &[4, 2])
        .named_node("fc", "MatMul", &["x", "w"], &["y"], vec![])
        .output("y")
        .import_err();
    assert_eq!(err, "node 'fc' (MatMul): B 'w' must be a constant (an initializer or a Constant node)");
    let err = Model::new(13)
        .input("x", &[1, 2, 4])
        .init("w", &[2, 2, 3], &[0.0; 12])
        .named_node("conv1d", "Conv", &["x", "w"], &["y"], vec![])
        .output("y")
        .import_err();
    assert!(err.starts_with("node 'conv1d' (Conv): only 2-D convolutions are supported"), "{err}");
    // Shape errors come from the dialect's inference.
    let err = Model::new(13)
        .input("x", &[1, 2, 4, 4])
        .named_node("pool", "MaxPool", &["x"], &["y"], vec![ints("kernel_shape", &[2, 2]), ints("pads", &[2, 0, 0, 0])])
        .output("y")
        .import_err();
    assert!(err.starts_with("node 'pool' (MaxPool): "), "{err}");
}

#[test]
fn outputs_dfq_does_not_compute_are_reported_where_used() {
    let err = Model::new(13)
        .input("x", &[1, 1, 4, 4])
        .named_node("pool", "MaxPool", &["x"], &["y", "indices"], vec![ints("kernel_shape", &[2, 2])])
        .named_node("use", "Add", &["y", "indices"], &["z"], vec![])
        .output("z")
        .import_err();
    assert_eq!(err, "node 'use' (Add): 'indices' is output #1 of node 'pool' (MaxPool), which dfq does not compute");
}

#[test]
fn only_float_inputs() {
    let err = Model::new(13)
        .typed_input("ids", data_type::INT64, &[1, 4])
        .node("Relu", &["ids"], &["y"], vec![])
        .output("y")
        .import_err();
    assert_eq!(err, "input 'ids' has element type INT64; dfq imports FLOAT inputs only");
}

#[test]
fn declared_output_shapes_are_checked() {
    let err = Model::new(13)
        .input("x", &[1, 4, 1, 1])
        .node("Flatten", &["x"], &["y"], vec![int("axis", 2)])
        .output_shaped("y", &[1, 4])
        .import_err();
    assert_eq!(err, "graph output 'y' has shape [4, 1] after import, but the model declares [1, 4]");
}
