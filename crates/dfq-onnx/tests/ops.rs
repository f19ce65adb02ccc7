//! Each supported ONNX operator imports to the expected nn op.

mod common;

use common::{float, int, ints, nn_ops, ramp, string, tensor, Model};
use dfq_onnx::proto::{data_type, TensorProto};

#[test]
fn conv_with_explicit_pads_dilations_and_bias() {
    let text = Model::new(13)
        .input("x", &[1, 2, 9, 9])
        .init("w", &[4, 2, 3, 3], &ramp(72))
        .init("b", &[4], &[0.5, -0.5, 1.0, 0.0])
        .node(
            "Conv",
            &["x", "w", "b"],
            &["y"],
            vec![ints("pads", &[1, 2, 0, 1]), ints("dilations", &[2, 1]), ints("strides", &[1, 2])],
        )
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.conv2d\"(%x, %w, %b) {dilations = array<i64: 2, 1>, groups = 1 : i64, pads = array<i64: 1, 2, 0, 1>, strides = array<i64: 1, 2>} : (tensor<1x2x9x9xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x5xf32>"]
    );
    assert!(text.contains("%w = arith.constant dense_resource<w> : tensor<4x2x3x3xf32>"), "{text}");
    assert!(text.contains("%b = arith.constant dense<[0.5, -0.5, 1.0, 0.0]> : tensor<4xf32>"), "{text}");
}

#[test]
fn conv_auto_pad_becomes_explicit_asymmetric_pads() {
    let conv = |auto_pad: &str, stride: i64| {
        let text = Model::new(13)
            .input("x", &[1, 1, 8, 8])
            .init("w", &[1, 1, 3, 3], &ramp(9))
            .node("Conv", &["x", "w"], &["y"], vec![string("auto_pad", auto_pad), ints("strides", &[stride, stride])])
            .output("y")
            .import();
        let line = nn_ops(&text)[0].to_string();
        let pads = line.split("pads = ").nth(1).unwrap().split('>').next().unwrap().to_string() + ">";
        let result = line.rsplit("-> ").next().unwrap().to_string();
        (pads, result)
    };
    assert_eq!(conv("SAME_UPPER", 2), ("array<i64: 0, 0, 1, 1>".into(), "tensor<1x1x4x4xf32>".into()));
    assert_eq!(conv("SAME_LOWER", 2), ("array<i64: 1, 1, 0, 0>".into(), "tensor<1x1x4x4xf32>".into()));
    assert_eq!(conv("SAME_UPPER", 1), ("array<i64: 1, 1, 1, 1>".into(), "tensor<1x1x8x8xf32>".into()));
    assert_eq!(conv("VALID", 1), ("array<i64: 0, 0, 0, 0>".into(), "tensor<1x1x6x6xf32>".into()));
}

#[test]
fn depthwise_conv_keeps_groups() {
    let text = Model::new(13)
        .input("x", &[1, 3, 4, 4])
        .init("w", &[3, 1, 3, 3], &ramp(27))
        .node(
            "Conv",
            &["x", "w"],
            &["y"],
            vec![int("group", 3), ints("pads", &[1, 1, 1, 1]), ints("kernel_shape", &[3, 3])],
        )
        .output("y")
        .import();
    assert!(nn_ops(&text)[0].contains("groups = 3 : i64"), "{text}");
    assert!(nn_ops(&text)[0].ends_with("-> tensor<1x3x4x4xf32>"), "{text}");
}

#[test]
fn batch_norm_stays_unfolded_with_its_epsilon() {
    let text = Model::new(13)
        .input("x", &[1, 2, 4, 4])
        .init("gamma", &[2], &[1.0, 2.0])
        .init("beta", &[2], &[0.0, 0.5])
        .init("mean", &[2], &[0.1, 0.2])
        .init("var", &[2], &[1.0, 4.0])
        .node("BatchNormalization", &["x", "gamma", "beta", "mean", "var"], &["y"], vec![float("epsilon", 1e-3)])
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.batch_norm\"(%x, %gamma, %beta, %mean, %var) {epsilon = 0.001 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>"]
    );
}

#[test]
fn clip_0_6_is_relu6_in_both_opset_forms() {
    let old = Model::new(6)
        .input("x", &[1, 2])
        .node("Clip", &["x"], &["y"], vec![float("min", 0.0), float("max", 6.0)])
        .output("y")
        .import();
    assert_eq!(nn_ops(&old), ["%y = \"nn.relu6\"(%x) : (tensor<1x2xf32>) -> tensor<1x2xf32>"]);
    let new = Model::new(13)
        .input("x", &[1, 2])
        .init("lo", &[], &[0.0])
        .init("hi", &[], &[6.0])
        .node("Clip", &["x", "lo", "hi"], &["y"], vec![])
        .output("y")
        .import();
    assert_eq!(nn_ops(&new), ["%y = \"nn.relu6\"(%x) : (tensor<1x2xf32>) -> tensor<1x2xf32>"]);
    // The bounds gave the op its meaning and leave no constants behind.
    assert!(!new.contains("arith.constant"), "{new}");
}

#[test]
fn clip_with_other_bounds_is_nn_clip() {
    let new = Model::new(13)
        .input("x", &[1, 2])
        .init("lo", &[], &[-1.0])
        .node("Clip", &["x", "lo"], &["y"], vec![])
        .output("y")
        .import();
    assert!(new.contains("%lo = arith.constant dense<-1.0> : tensor<f32>"), "{new}");
    assert!(new.contains("%y_max = arith.constant dense<0x7F800000> : tensor<f32>"), "{new}");
    assert_eq!(
        nn_ops(&new),
        ["%y = \"nn.clip\"(%x, %lo, %y_max) : (tensor<1x2xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2xf32>"]
    );
    let old = Model::new(6)
        .input("x", &[1, 2])
        .node("Clip", &["x"], &["y"], vec![float("min", -0.5), float("max", 0.5)])
        .output("y")
        .import();
    assert!(old.contains("%y_min = arith.constant dense<-0.5> : tensor<f32>"), "{old}");
    assert!(nn_ops(&old)[0].starts_with("%y = \"nn.clip\"(%x, %y_min, %y_max)"), "{old}");
    let relu = Model::new(13)
        .input("x", &[1, 2])
        .init("lo", &[1], &[0.0])
        .node("Clip", &["x", "lo", ""], &["y"], vec![])
        .output("y")
        .import();
    assert_eq!(nn_ops(&relu), ["%y = \"nn.relu\"(%x) : (tensor<1x2xf32>) -> tensor<1x2xf32>"]);
}

#[test]
fn activations() {
    let text = Model::new(13)
        .input("x", &[1, 2, 1, 1])
        .init("slope", &[2, 1, 1], &[0.1, 0.2])
        .node("Relu", &["x"], &["a"], vec![])
        .node("PRelu", &["a", "slope"], &["b"], vec![])
        .node("Sigmoid", &["b"], &["c"], vec![])
        .output("c")
        .import();
    assert_eq!(
        nn_ops(&text),
        [
            "%a = \"nn.relu\"(%x) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32>",
            "%b = \"nn.prelu\"(%a, %slope) : (tensor<1x2x1x1xf32>, tensor<2x1x1xf32>) -> tensor<1x2x1x1xf32>",
            "%c = \"nn.sigmoid\"(%b) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32>",
        ]
    );
}

#[test]
fn softmax_follows_the_opset_semantics() {
    let v13 = Model::new(13).input("x", &[2, 3, 4]).node("Softmax", &["x"], &["y"], vec![]).output("y").import();
    assert_eq!(nn_ops(&v13), ["%y = \"nn.softmax\"(%x) {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>"]);
    // Opset 11 normalizes over everything from axis 1 on: reshape to 2-D around it.
    let v11 = Model::new(11).input("x", &[2, 3, 4]).node("Softmax", &["x"], &["y"], vec![]).output("y").import();
    assert_eq!(
        nn_ops(&v11),
        [
            "%y_2d = \"nn.reshape\"(%x) {shape = array<i64: 2, 12>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>",
            "%y_2d_softmax = \"nn.softmax\"(%y_2d) {axis = 1 : i64} : (tensor<2x12xf32>) -> tensor<2x12xf32>",
            "%y = \"nn.reshape\"(%y_2d_softmax) {shape = array<i64: 2, 3, 4>} : (tensor<2x12xf32>) -> tensor<2x3x4xf32>",
        ]
    );
    // ... which is a plain softmax when nothing follows the axis.
    let logits = Model::new(11).input("x", &[1, 10]).node("Softmax", &["x"], &["y"], vec![]).output("y").import();
    assert_eq!(nn_ops(&logits), ["%y = \"nn.softmax\"(%x) {axis = 1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>"]);
}

#[test]
fn add_mul_broadcast_with_constants() {
    let text = Model::new(13)
        .input("x", &[1, 2, 3, 3])
        .init("scale", &[2, 1, 1], &[2.0, 3.0])
        .node("Mul", &["x", "scale"], &["m"], vec![])
        .node("Add", &["m", "x"], &["y"], vec![])
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        [
            "%m = \"nn.mul\"(%x, %scale) : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>",
            "%y = \"nn.add\"(%m, %x) : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>",
        ]
    );
}

#[test]
fn concat_along_channels() {
    let text = Model::new(13)
        .input("a", &[1, 2, 3, 3])
        .input("b", &[1, 1, 3, 3])
        .node("Concat", &["a", "b"], &["y"], vec![int("axis", 1)])
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.concat\"(%a, %b) {axis = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x3x3x3xf32>"]
    );
}

#[test]
fn pools() {
    let text = Model::new(13)
        .input("x", &[1, 2, 7, 7])
        .node(
            "MaxPool",
            &["x"],
            &["a"],
            vec![ints("kernel_shape", &[3, 3]), ints("strides", &[2, 2]), ints("pads", &[1, 1, 1, 1])],
        )
        .node(
            "AveragePool",
            &["a"],
            &["b"],
            vec![ints("kernel_shape", &[2, 2]), string("auto_pad", "SAME_UPPER"), int("count_include_pad", 1)],
        )
        .node("AveragePool", &["b"], &["c"], vec![ints("kernel_shape", &[2, 2])])
        .node("GlobalAveragePool", &["c"], &["d"], vec![])
        .output("d")
        .import();
    assert_eq!(
        nn_ops(&text),
        [
            "%a = \"nn.max_pool2d\"(%x) {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>",
            "%b = \"nn.avg_pool2d\"(%a) {count_include_pad = true, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>",
            "%c = \"nn.avg_pool2d\"(%b) {count_include_pad = false, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32>",
            "%d = \"nn.global_avg_pool\"(%c) : (tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32>",
        ]
    );
}

#[test]
fn max_pool_ceil_mode_pads_the_end() {
    let text = Model::new(13)
        .input("x", &[1, 1, 6, 6])
        .node(
            "MaxPool",
            &["x"],
            &["y"],
            vec![ints("kernel_shape", &[3, 3]), ints("strides", &[2, 2]), int("ceil_mode", 1)],
        )
        .output("y")
        .import();
    assert!(nn_ops(&text)[0].contains("pads = array<i64: 0, 0, 1, 1>"), "{text}");
    assert!(nn_ops(&text)[0].ends_with("-> tensor<1x1x3x3xf32>"), "{text}");
}

#[test]
fn flatten_and_reshape() {
    let text = Model::new(13)
        .input("x", &[1, 4, 1, 1])
        .init_i64("shape", &[2], &[0, -1])
        .node("Flatten", &["x"], &["f"], vec![])
        .node("Reshape", &["x", "shape"], &["r"], vec![])
        .node("Add", &["f", "r"], &["y"], vec![])
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        [
            "%f = \"nn.flatten\"(%x) {axis = 1 : i64} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>",
            "%r = \"nn.reshape\"(%x) {shape = array<i64: 0, -1>} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>",
            "%y = \"nn.add\"(%f, %r) : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>",
        ]
    );
    assert!(!text.contains("%shape"), "the shape constant leaves nothing behind:\n{text}");
}

#[test]
fn gemm_with_trans_b_uses_the_weight_as_is() {
    let text = Model::new(13)
        .input("x", &[2, 4])
        .init("w", &[3, 4], &ramp(12))
        .init("c", &[3], &[1.0, 2.0, 3.0])
        .node("Gemm", &["x", "w", "c"], &["y"], vec![int("transB", 1)])
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.linear\"(%x, %w, %c) : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>"]
    );
}

#[test]
fn gemm_without_trans_b_transposes_and_scales_constants() {
    let text = Model::new(13)
        .input("x", &[1, 2])
        .init("w", &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        .init("c", &[1, 3], &[1.0, 1.0, 1.0])
        .node("Gemm", &["x", "w", "c"], &["y"], vec![float("alpha", 2.0), float("beta", 0.5)])
        .output("y")
        .import();
    assert!(
        text.contains("%w = arith.constant dense<[[2.0, 8.0], [4.0, 10.0], [6.0, 12.0]]> : tensor<3x2xf32>"),
        "{text}"
    );
    assert!(text.contains("%c = arith.constant dense<[0.5, 0.5, 0.5]> : tensor<3xf32>"), "{text}");
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.linear\"(%x, %w, %c) : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>"]
    );
}

#[test]
fn matmul_and_bias_add_fold_into_one_linear() {
    let text = Model::new(13)
        .input("x", &[1, 2])
        .init("w", &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        .init("bias", &[3], &[0.5, 0.25, 0.125])
        .node("MatMul", &["x", "w"], &["p"], vec![])
        .node("Add", &["bias", "p"], &["y"], vec![])
        .output("y")
        .import();
    assert!(
        text.contains("%w = arith.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>"),
        "{text}"
    );
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.linear\"(%x, %w, %bias) : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>"]
    );
    // Used twice, the product must stay: no fold.
    let text = Model::new(13)
        .input("x", &[1, 2])
        .init("w", &[2, 3], &ramp(6))
        .init("bias", &[3], &ramp(3))
        .node("MatMul", &["x", "w"], &["p"], vec![])
        .node("Add", &["p", "bias"], &["q"], vec![])
        .node("Add", &["p", "q"], &["y"], vec![])
        .output("y")
        .import();
    assert!(nn_ops(&text)[0].starts_with("%p = \"nn.linear\"(%x, %w) :"), "{text}");
    assert!(nn_ops(&text)[1].starts_with("%q = \"nn.add\"(%p, %bias)"), "{text}");
}

#[test]
fn identity_dropout_and_constant_nodes_leave_no_ops() {
    let shape =
        TensorProto { dims: vec![2], data_type: data_type::INT64, int64_data: vec![1, -1], ..Default::default() };
    let text = Model::new(13)
        .input("x", &[1, 2, 2])
        .node("Identity", &["x"], &["a"], vec![])
        .node("Dropout", &["a"], &["b", "mask"], vec![])
        .node("Constant", &[], &["shape"], vec![tensor("value", shape)])
        .node("Reshape", &["b", "shape"], &["y"], vec![])
        .output("y")
        .import();
    assert_eq!(
        nn_ops(&text),
        ["%y = \"nn.reshape\"(%x) {shape = array<i64: 1, -1>} : (tensor<1x2x2xf32>) -> tensor<1x4xf32>"]
    );
}

#[test]
fn names_are_sanitized_and_unique() {
    let text = Model::new(13)
        .input("input.1", &[1, 2])
        .node("Relu", &["input.1"], &["/block/Relu_output_0"], vec![])
        .node("Relu", &["/block/Relu_output_0"], &["/block:Relu_output_0"], vec![])
        .output("/block:Relu_output_0")
        .import();
    assert_eq!(
        nn_ops(&text),
        [
            "%block_Relu_output_0 = \"nn.relu\"(%input_1) : (tensor<1x2xf32>) -> tensor<1x2xf32>",
            "%block_Relu_output_0_1 = \"nn.relu\"(%block_Relu_output_0) : (tensor<1x2xf32>) -> tensor<1x2xf32>",
        ]
    );
}
