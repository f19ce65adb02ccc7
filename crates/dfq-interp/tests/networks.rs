//! Whole networks: the fixtures' MobileNet-like nets and an integer graph run to
//! completion with finite outputs of the declared shapes.

mod common;

use common::{rng, uniform};
use dfq_fixtures::{random, tiny, RandomNetConfig};
use dfq_interp::{expected_input, run_function, run_module, Tensor};
use dfq_ir::{parse_module, Function, Module, SourceFile};

/// Seeded inputs in [-2, 2] for every argument of `func`.
fn inputs(func: &Function, seed: u64) -> Vec<Tensor> {
    let mut r = rng(seed);
    (0..func.args.len())
        .map(|i| {
            let (shape, dtype) = expected_input(func, i).unwrap();
            assert_eq!(dtype, "f32");
            let n = shape.iter().product();
            Tensor::from_f32(shape, uniform(&mut r, n, -2.0, 2.0))
        })
        .collect()
}

/// Runs @main and checks each output against the declared result type.
fn run_main(module: &Module, seed: u64) -> Vec<Tensor> {
    let main = module.function("main").expect("@main");
    let outputs = run_function(main, inputs(main, seed)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outputs.len(), main.result_types.len());
    for (out, ty) in outputs.iter().zip(&main.result_types) {
        let declared: Vec<usize> =
            ty.as_tensor().unwrap().static_shape().unwrap().iter().map(|&d| d as usize).collect();
        assert_eq!(out.shape, declared);
        assert!(out.as_f32().unwrap().iter().all(|v| v.is_finite()), "non-finite output");
    }
    outputs
}

#[test]
fn tiny_runs() {
    let out = run_main(&tiny(1), 7);
    assert_eq!(out[0].shape, [1, 10]);
    // Deterministic, and the logits differ between classes (the net is not degenerate).
    assert_eq!(out, run_main(&tiny(1), 7));
    let logits = out[0].as_f32().unwrap();
    assert!(logits.iter().any(|&v| v != logits[0]));
}

#[test]
fn shipped_example_matches_its_fixture() {
    // examples/mobilenet_tiny.mlir is tiny(1) printed: parsing it back must give the same logits, bit for bit.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/mobilenet_tiny.mlir");
    let text = std::fs::read_to_string(path).unwrap();
    let parsed = parse_module(&SourceFile::new(path, &text)).unwrap();
    assert_eq!(run_main(&parsed, 3), run_main(&tiny(1), 3));
}

#[test]
fn random_networks_run() {
    for seed in 0..12 {
        run_main(&random(seed, &RandomNetConfig::default()), seed);
    }
}

#[test]
fn larger_random_networks_run() {
    let config = RandomNetConfig { blocks: 6..=8, input_size: 16..=24, max_channels: 48, ..RandomNetConfig::default() };
    for seed in 100..103 {
        run_main(&random(seed, &config), seed);
    }
}

/// A small integer graph: quantize, conv + fused ReLU, residual add, pools, linear, dequantize.
const QNET: &str = r#"func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.02:128>>
  %w_storage = arith.constant dense<[[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]], [[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]]]> : tensor<2x1x3x3xi8>
  %w = "quant.scast"(%w_storage) : (tensor<2x1x3x3xi8>) -> tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.05:0, 0.1:0}>>
  %b = arith.constant dense<[100, -50]> : tensor<2xi32>
  %c = "qnn.conv2d"(%q, %w, %b) {groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, act_min = 0 : i64} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.02:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.05:0, 0.1:0}>>, tensor<2xi32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.03:0>>
  %s = "qnn.add"(%c, %q) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.03:0>>, tensor<1x2x4x4x!quant.uniform<u8:f32, 0.02:128>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.04:64>>
  %m = "qnn.max_pool2d"(%s) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.04:64>>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.04:64>>
  %a = "qnn.avg_pool2d"(%s) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.04:64>>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.04:64>>
  %j = "qnn.concat"(%m, %a) {axis = 1 : i64} : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.04:64>>, tensor<1x2x2x2x!quant.uniform<u8:f32, 0.04:64>>) -> tensor<1x4x2x2x!quant.uniform<u8:f32, 0.05:60>>
  %g = "qnn.global_avg_pool"(%j) : (tensor<1x4x2x2x!quant.uniform<u8:f32, 0.05:60>>) -> tensor<1x4x1x1x!quant.uniform<u8:f32, 0.05:60>>
  %f = "qnn.flatten"(%g) : (tensor<1x4x1x1x!quant.uniform<u8:f32, 0.05:60>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.05:60>>
  %fw_storage = arith.constant dense<[[10, -20, 30, 40], [5, 5, 5, 5], [-7, 8, -9, 10]]> : tensor<3x4xi8>
  %fw = "quant.scast"(%fw_storage) : (tensor<3x4xi8>) -> tensor<3x4x!quant.uniform<i8:f32, 0.01>>
  %l = "qnn.linear"(%f, %fw) : (tensor<1x4x!quant.uniform<u8:f32, 0.05:60>>, tensor<3x4x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.02:-5>>
  %r = "qnn.requantize"(%l) : (tensor<1x3x!quant.uniform<i8:f32, 0.02:-5>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.025:0>>
  %k = "qnn.clamp"(%r) {min = -100 : i64, max = 100 : i64} : (tensor<1x3x!quant.uniform<i8:f32, 0.025:0>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.025:0>>
  %y = "qnn.dequantize"(%k) : (tensor<1x3x!quant.uniform<i8:f32, 0.025:0>>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}"#;

#[test]
fn integer_network_runs() {
    let module = parse_module(&SourceFile::new("qnet.mlir", QNET)).unwrap();
    let x: Vec<f32> = (0..32).map(|i| (i as f32 - 16.0) / 10.0).collect();
    let out = run_module(&module, "main", vec![Tensor::from_f32(vec![1, 2, 4, 4], x.clone())]).unwrap();
    assert_eq!(out[0].shape, [1, 3]);
    let y = out[0].as_f32().unwrap();
    // Every output is a multiple of the last scale within the clamp: k·0.025 with |k| ≤ 100.
    for &v in y {
        let k = v / 0.025;
        assert!((k - k.round()).abs() < 1e-3 && k.abs() <= 100.0, "{v}");
    }
    let again = run_module(&module, "main", vec![Tensor::from_f32(vec![1, 2, 4, 4], x)]).unwrap();
    assert_eq!(out, again);
}
