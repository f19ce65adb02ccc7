//! The importer's part of the bad-input catalogue (docs/hardening.md): NaN
//! weights, shapes whose element count overflows or is absurd. Each is an
//! `ImportError` naming the initializer, input or op, never a panic or an
//! attempt to allocate the tensor.

mod common;

use common::{ints, string, Model};
use dfq_onnx::{import_onnx, ImportOptions};

fn conv_model(w: &[f32]) -> Model {
    conv_model_padded(w, 0)
}

fn conv_model_padded(w: &[f32], pad: i64) -> Model {
    let pads = vec![ints("pads", &[pad, pad, pad, pad])];
    Model::new(13).input("x", &[1, 1, 2, 2]).init("w", &[1, 1, 1, 1], w).node("Conv", &["x", "w"], &["y"], pads).output("y")
}

#[test]
fn a_nan_initializer_is_refused_by_name() {
    let err = conv_model(&[f32::NAN]).import_err();
    assert_eq!(err, "initializer 'w': it holds NaN at element 0; dfq refuses NaN weights (fix the model, or re-export it)");
    // Infinities are legal values (Clip bounds use them); the DFQ passes refuse them in weights.
    conv_model(&[f32::INFINITY]).import();
}

#[test]
fn an_initializer_whose_dimensions_overflow_is_refused_before_allocating() {
    for dims in [vec![1i64 << 32, 1 << 32, 16], vec![1 << 40]] {
        // The data is absent: only the dimensions claim the size.
        let err = conv_model(&[1.0]).init("huge", &dims, &[]).import_err();
        assert_eq!(
            err,
            format!("initializer 'huge': its shape {dims:?} has more than 2^31 elements, more than dfq supports")
        );
    }
}

#[test]
fn an_absurd_input_shape_is_refused() {
    let model = Model::new(13).input("x", &[1 << 40]).node("Relu", &["x"], &["y"], vec![]).output("y");
    assert_eq!(
        model.import_err(),
        "input 'x': 'tensor<1099511627776xf32>' has 1099511627776 elements; dfq supports at most 2147483648 (2^31) elements per tensor"
    );
    let model = Model::new(13).input_symbolic("x", &["n", "8"]).node("Relu", &["x"], &["y"], vec![]).output("y");
    let options = ImportOptions { input_shape: Some(vec![1 << 62, 8]), ..Default::default() };
    let err = model.import_with(&options).unwrap_err().to_string();
    assert!(err.starts_with("input 'x': the product of the dimensions of 'tensor<4611686018427387904x8xf32>' overflows 64 bits"), "{err}");
}

#[test]
fn an_absurd_inferred_shape_is_refused_with_the_op() {
    // Legal attributes, absurd result: 2^21 of padding on each side.
    let pad = 1i64 << 21;
    let err = conv_model_padded(&[1.0], pad).import_err();
    assert!(err.starts_with("the result '%y' of an 'nn.conv2d' op: 'tensor<1x1x4194306x4194306xf32>' has"), "{err}");
}

#[test]
fn padding_that_overflows_the_shape_arithmetic_names_the_node() {
    for pad in [i64::MAX / 2, i64::MAX] {
        let err = conv_model_padded(&[1.0], pad).import_err();
        assert_eq!(err, format!("node 'conv_0' (Conv): pads [{pad}, {pad}, {pad}, {pad}] larger than 2^31 are not supported"));
    }
}

#[test]
fn fuzz_onnx_import_a_zero_stride_with_same_padding_is_an_error_not_a_division_by_zero() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/zero-stride-same-pad.onnx");
    let err = import_onnx(&std::fs::read(path).unwrap(), &ImportOptions::default()).unwrap_err().to_string();
    assert!(err.ends_with("(Conv): the stride width is 0; it must be between 1 and 2^31"), "{err}");
    // The same, written by hand.
    let model = Model::new(13)
        .input("x", &[1, 1, 4, 4])
        .init("w", &[1, 1, 3, 3], &[1.0; 9])
        .node("Conv", &["x", "w"], &["y"], vec![ints("strides", &[1, 0]), string("auto_pad", "SAME_UPPER")])
        .output("y");
    assert_eq!(model.import_err(), "node 'conv_0' (Conv): the stride width is 0; it must be between 1 and 2^31");
}
